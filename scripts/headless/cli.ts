// Flag parsing shared by the headless runner's subcommands (argparse-like: `--name value` or `--name=value`).
import { resolve as resolvePath } from 'node:path';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** Input errors (bad flags, a baseline run the page refuses): the oracle's exit code too. */
export const EXIT_INPUT_ERROR = 2;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagKind = 'string' | 'number' | 'integer' | 'boolean';

/**
 * Parse `argv` against `spec` (flag name without `--` → kind). Unknown flags, missing values and malformed
 * numbers throw `UsageError`. Values are checked for shape only; the page validates their meaning (so that a
 * bad `--ages-minutes 0,-5` gets the page's own message).
 */
export function parseFlags<S extends Record<string, FlagKind>>(argv: string[], spec: S): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      out[name] = 1;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[index + 1];
      index += 1;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number' || kind === 'integer') {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number) || (kind === 'integer' && !Number.isInteger(number))) {
        throw new UsageError(`--${name} must be ${kind === 'integer' ? 'an integer' : 'a number'}, found ${JSON.stringify(value)}`);
      }
      // Keep the text as typed: the page parses its own fields (10 and 10.0 are both fine there).
      out[name] = value;
    } else out[name] = value;
  }
  return out;
}

/**
 * A path flag as the user meant it: `npm run` starts scripts in the package root, so a relative path is taken
 * from where the user typed the command (npm's INIT_CWD), as the oracle's runner takes it from its cwd.
 */
export function userPath(path: string): string {
  return resolvePath(process.env.INIT_CWD ?? process.cwd(), path);
}
