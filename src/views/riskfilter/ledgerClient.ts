/** The page's side of the ledger worker; falls back to the page's thread where workers do not exist. */
import { runLedgerImport, type LedgerImportJob, type LedgerImportResult } from '../../experiments/riskFilter/importJob.ts';
import { WorkerClient, type WorkerLike } from '../../workers/client.ts';

export type LedgerApi = {
  importLedger: { request: LedgerImportJob; response: LedgerImportResult };
};

let client: WorkerClient<LedgerApi> | null = null;

function spawn(): WorkerLike {
  return new Worker(new URL('./ledger.worker.ts', import.meta.url), { type: 'module', name: 'ledger' }) as unknown as WorkerLike;
}

export function importLedgerOffThread(job: LedgerImportJob): Promise<LedgerImportResult> {
  if (typeof Worker === 'undefined') return runLedgerImport(job);
  // Ended after a minute idle: a parquet ledger leaves wasm memory behind that only ending the worker returns.
  client ??= new WorkerClient<LedgerApi>(spawn, { name: 'ledger', idleTimeoutMs: 60_000 });
  return client.call('importLedger', job, { transfer: [job.bytes.buffer as ArrayBuffer] });
}
