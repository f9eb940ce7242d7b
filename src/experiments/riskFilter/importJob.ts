/**
 * One ledger import as a job a worker can run: the stored dataset comes in as its record texts (what the store
 * keeps), the rows the import added go out the same way. The reference's second import (which must add
 * nothing) runs here too, so `reimport_added` is measured, not assumed.
 */
import { datasetMetadata, type DatasetMetadata } from './dataset.ts';
import { importLedger, readLedger, recordJson, storedTradeFromJson, TradeDataset, type ImportReport, type LedgerFormat } from './ledger.ts';

export interface LedgerImportJob {
  bytes: Uint8Array;
  file: string;
  /** record_json of every stored trade, in arrival order. */
  stored: string[];
  maeThreshold: number;
}

export interface LedgerImportResult {
  source: { file: string; format: LedgerFormat; sha256: string; lines: number };
  report: ImportReport;
  reimportAdded: number;
  /** The new rows, in order, as the store keeps them. */
  added: { trade_id: string; record_json: string }[];
  metadata: DatasetMetadata;
}

export async function runLedgerImport(job: LedgerImportJob): Promise<LedgerImportResult> {
  const source = await readLedger(job.bytes, job.file);
  const dataset = TradeDataset.fromRows(job.stored.map(storedTradeFromJson));
  const before = dataset.size;
  const report = importLedger(source.entries, dataset);
  const second = importLedger(source.entries, dataset);
  return {
    source: { file: source.file, format: source.format, sha256: source.sha256, lines: source.lines },
    report,
    reimportAdded: second.closed_added,
    added: dataset.rows.slice(before).map((row) => ({ trade_id: row.trade_id, record_json: recordJson(row.record) })),
    metadata: datasetMetadata(dataset, job.maeThreshold),
  };
}
