/**
 * A problem with what the user gave us (a file, a column, a record, a parameter). Its message is shown to the
 * user as it is, so it names the file, the column or key, what was expected and what was found.
 * The headless runner exits 2 on these; anything else is a bug (exit 1).
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly problems: InputProblem[] = [{ file: '', message }],
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export interface InputProblem {
  /** Path of the file inside the run ('' for a parameter). */
  file: string;
  /** Column, key, head or parameter concerned, when there is one. */
  field?: string;
  message: string;
}

export function inputErrorFrom(problems: InputProblem[]): InputError {
  const text = problems.map((p) => (p.file ? `${p.file}: ${p.message}` : p.message)).join('\n');
  return new InputError(text, problems);
}

/** Thrown when the user cancels; runs are stored as cancelled, never as a success. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}
