/**
 * A pool of fit workers (the machine has 2 cores: two workers fitting different models at once is the way to use
 * both, BROWSER.md). Jobs are handed out largest first (rows × columns) as workers free up, so the longest fits do
 * not come last on one worker while the other idles, and jobs that share a matrix go to one worker together
 * (`dispatchGroups`); a worker keeps to one affinity (a side) while it has work of it (`nextGroup`); results keep
 * the jobs' order. The first failure or a cancel
 * ends every worker of the pool. Workers are ended once the jobs are done (idle workers hold wasm memory for nothing).
 */
import { CancelledError } from '../core/errors.ts';
import { WorkerClient, type HostContext, type WorkerLike } from './client.ts';
import type { FitApi, FitJob, FitJobResult } from './protocol.ts';

export interface FitPoolOptions {
  size?: number;
  onCrash?: (error: Error) => void;
  /**
   * The matrix of jobs that name it (`FitTask.matrix`, x empty): asked for when a worker is free for them. Not
   * cancelled when the pool stops (a matrix made for nothing is dropped): the call goes to the worker that waits
   * on these fits, and cancelling a call ends its worker.
   */
  materialize?: (name: string) => Promise<Float32Array>;
}

export async function runFitJobs(spawn: () => WorkerLike, jobs: FitJob[], context: HostContext, options: FitPoolOptions = {}): Promise<FitJobResult[]> {
  const groups = dispatchGroups(jobs);
  const size = Math.max(1, Math.min(options.size ?? 2, groups.length));
  const clients = Array.from({ length: size }, (_, i) => new WorkerClient<FitApi>(spawn, { name: `fit-${i + 1}`, onCrash: options.onCrash }));
  const results: FitJobResult[] = new Array(jobs.length);
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(new CancelledError());
  context.signal.addEventListener('abort', onOuterAbort, { once: true });
  if (context.signal.aborted) stop.abort(new CancelledError());
  const owners = bufferOwners(groups.map((group) => group.map((i) => jobs[i])));
  const taken = new Array<boolean>(groups.length).fill(false);
  /** Each lane's last group's affinity. */
  const laneAffinity = new Map<WorkerClient<FitApi>, string | undefined>();
  let firstError: Error | null = null;

  /** The lane's next group (`nextGroup`), its members with their matrix once it is made (asked for now). */
  const claim = (lane: WorkerClient<FitApi>): { group: number[]; members: Promise<FitJob[]> } | null => {
    const others = new Set([...laneAffinity].filter(([other, a]) => other !== lane && a !== undefined).map(([, a]) => a as string));
    const index = nextGroup(groups.map((group) => jobs[group[0]].task.affinity), taken, laneAffinity.get(lane), others);
    if (index < 0) return null;
    taken[index] = true;
    laneAffinity.set(lane, jobs[groups[index][0]].task.affinity);
    const group = groups[index];
    const members = withMatrix(group.map((i) => jobs[i]), options.materialize);
    members.catch(() => {}); // awaited by the lane (unless the pool stops first)
    return { group, members };
  };

  const lane = async (client: WorkerClient<FitApi>) => {
    let claimed = claim(client);
    while (claimed && !stop.signal.aborted) {
      const { group } = claimed;
      try {
        const members = await claimed.members;
        // A group's matrix is its own (made for it, or given): moved, never copied; a buffer other groups still
        // need (a side's targets, shared by its two feature sets) is copied until its last group.
        const transfer = movableBuffers(members, owners);
        const answers =
          members.length === 1
            ? [await client.call('fit', members[0], { signal: stop.signal, onProgress: context.progress, transfer })]
            : await client.call('fitGroup', { jobs: members }, { signal: stop.signal, onProgress: context.progress, transfer });
        // The next group's matrix is asked for before this group's results go out: the caller starts a side's
        // metrics on them, which would otherwise come first, with this worker idle until they are done.
        claimed = claim(client);
        group.forEach((index, k) => {
          results[index] = answers[k];
          // the caller may use a fit as soon as it is done (its side's metrics while the other fits run)
          context.partial?.(answers[k]);
        });
      } catch (error) {
        if (!firstError) firstError = error as Error;
        stop.abort(error);
        return;
      }
    }
  };

  try {
    await Promise.all(clients.map(lane));
  } finally {
    context.signal.removeEventListener('abort', onOuterAbort);
    for (const client of clients) client.terminate();
  }
  if (context.signal.aborted) throw new CancelledError();
  if (firstError) throw firstError;
  return results;
}

/**
 * The group a lane takes next, of those not `taken` (in dispatch order, largest first): one of the lane's own
 * affinity (`prefer`, its last group's) first; else the first whose affinity no other lane works on (`others`);
 * else the first left. On L a side's two matrices then go to one worker, whose wasm memory the first grew: 59 + 31
 * MB for the two workers instead of 59 + 48, in the same time (the sides' fits take about as long). -1 when none.
 */
export function nextGroup(affinities: (string | undefined)[], taken: boolean[], prefer: string | undefined, others: ReadonlySet<string>): number {
  let first = -1;
  let fresh = -1;
  for (let g = 0; g < affinities.length; g++) {
    if (taken[g]) continue;
    const affinity = affinities[g];
    if (prefer !== undefined && affinity === prefer) return g;
    if (first < 0) first = g;
    if (fresh < 0 && (affinity === undefined || !others.has(affinity))) fresh = g;
  }
  return fresh >= 0 ? fresh : first;
}

/** A group's jobs with the matrix they name made (`materialize`), or as they are when they carry their own. */
async function withMatrix(members: FitJob[], materialize: FitPoolOptions['materialize']): Promise<FitJob[]> {
  const name = members[0].task.matrix;
  if (name === undefined) return members;
  if (!materialize) throw new Error(`fit pool: the jobs of ${name} name their matrix, and nothing makes it`);
  const x = await materialize(name);
  const { rows, cols } = members[0].task;
  if (x.length !== rows * cols) throw new Error(`fit pool: matrix ${name} has ${x.length} values, expected ${rows}×${cols}`);
  return members.map((job) => ({ ...job, task: { ...job.task, x } }));
}

/**
 * Job indexes largest first (rows × columns; ties keep their order, so a side's classifier and regressor, which
 * share their matrix, stay together): the cost of an iteration. Replaying the L bench's eight fit times, the two
 * workers end 8.5 s after the start instead of 8.9 s (half the sum: 8.4 s).
 */
export function dispatchOrder(jobs: FitJob[]): number[] {
  const size = (job: FitJob) => job.task.rows * job.task.cols;
  return jobs.map((_, i) => i).sort((a, b) => size(jobs[b]) - size(jobs[a]) || a - b);
}

/**
 * The jobs in dispatch order, as groups that go to one worker together: jobs on the same design matrix (a side's
 * classifier and regressor: the same array, or the same `matrix` name) form one group, fitted one after the other
 * on the worker that gets it. The matrix then crosses to one worker, moved, and is held there once; handed to two
 * workers it was copied for one of them while both also held it in wasm (~170 MB more at the start of L's fits).
 */
export function dispatchGroups(jobs: FitJob[]): number[][] {
  const groupOf = new Map<Float32Array, number[]>();
  const groups: number[][] = [];
  const named = new Map<string, number[]>();
  for (const index of dispatchOrder(jobs)) {
    const { x, matrix } = jobs[index].task;
    let group = matrix !== undefined ? named.get(matrix) : x.length > 0 ? groupOf.get(x) : undefined;
    if (!group) {
      group = [];
      groups.push(group);
      if (matrix !== undefined) named.set(matrix, group);
      else if (x.length > 0) groupOf.set(x, group);
    }
    group.push(index);
  }
  return groups;
}

/** How many groups reference each ArrayBuffer. */
function bufferOwners(groups: FitJob[][]): Map<ArrayBuffer, number> {
  const owners = new Map<ArrayBuffer, number>();
  for (const group of groups) for (const buffer of buffersIn(group)) owners.set(buffer, (owners.get(buffer) ?? 0) + 1);
  return owners;
}

/** The group's buffers that no group after it needs: moved rather than copied. */
function movableBuffers(group: FitJob[], owners: Map<ArrayBuffer, number>): Transferable[] {
  const out: ArrayBuffer[] = [];
  for (const buffer of buffersIn(group)) {
    const left = (owners.get(buffer) ?? 1) - 1;
    owners.set(buffer, left);
    if (left === 0 && buffer.byteLength > 0) out.push(buffer);
  }
  return out;
}

/** Every distinct ArrayBuffer behind a typed array in a plain object tree. */
export function buffersIn(value: unknown, seen = new Set<ArrayBuffer>(), depth = 0): Set<ArrayBuffer> {
  if (value === null || typeof value !== 'object' || depth > 8) return seen;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) seen.add(value.buffer);
    return seen;
  }
  if (value instanceof ArrayBuffer) {
    seen.add(value);
    return seen;
  }
  if (value instanceof Map) {
    for (const v of value.values()) buffersIn(v, seen, depth + 1);
    return seen;
  }
  if (Array.isArray(value)) {
    for (const v of value) buffersIn(v, seen, depth + 1);
    return seen;
  }
  if (value instanceof Blob) return seen;
  for (const v of Object.values(value)) buffersIn(v, seen, depth + 1);
  return seen;
}
