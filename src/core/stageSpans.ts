/**
 * When each stage of a run ran, as wall-clock times (ms since the epoch, to 0.1 ms): the page, its workers and the
 * bench's memory sampler all read this machine's clock, so a stage's memory can be taken over the stage's own
 * time, wherever it ran and however stages overlapped (the load and frozen scores run during the drop-time check).
 */
export type StageSpans = Record<string, [start: number, end: number]>;

/** Now, in ms since the epoch, with the precision of performance.now() (Date.now() is whole milliseconds). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** Adds [start, end] to the stage's span: a stage timed in several pieces spans from its first start to its last end. */
export function addSpan(spans: StageSpans, stage: string, start: number, end: number): void {
  const had = spans[stage];
  spans[stage] = had ? [Math.min(had[0], round1(start)), Math.max(had[1], round1(end))] : [round1(start), round1(end)];
}
