import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLedgerImport } from './importJob.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/swing');
const bytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

describe('ledger import job (what the ledger worker runs)', () => {
  it('imports into the stored rows, then adds nothing the second time', async () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'normal/swing_result.json'), 'utf8'));
    const first = await runLedgerImport({ bytes: bytes('normal/ledger.jsonl'), file: 'ledger.jsonl', stored: [], maeThreshold: 0.03 });
    expect(first.report).toEqual(expected.import);
    expect(first.reimportAdded).toBe(0);
    expect(first.metadata).toEqual(expected.dataset);
    expect(first.source).toEqual({ file: 'ledger.jsonl', format: 'jsonl', ...expected.input });
    const again = await runLedgerImport({ bytes: bytes('normal/ledger.jsonl'), file: 'ledger.jsonl', stored: first.added.map((r) => r.record_json), maeThreshold: 0.03 });
    expect(again.added).toEqual([]);
    expect(again.report.closed_added).toBe(0);
    expect(again.report.identical_duplicates).toBe(expected.import.identical_duplicates + expected.import.closed_added);
    expect(again.metadata).toEqual(expected.dataset);
  });

  it('a parquet ledger after a JSON one appends only its new trades', async () => {
    const json = await runLedgerImport({ bytes: bytes('csv/ledger.jsonl'), file: 'a.jsonl', stored: [], maeThreshold: 0.03 });
    const parquet = await runLedgerImport({ bytes: bytes('parquet/ledger.parquet'), file: 'b.parquet', stored: json.added.map((r) => r.record_json), maeThreshold: 0.03 });
    // the two clean ledgers come from different seeds but share trade ids T00001…: differing content is a conflict
    expect(parquet.report.conflicts.length).toBeGreaterThan(0);
    expect(parquet.metadata.row_count).toBe(json.metadata.row_count + parquet.added.length);
    expect(new Set(parquet.added.map((r) => r.trade_id)).size).toBe(parquet.added.length);
    for (const r of parquet.added) expect(json.added.some((j) => j.trade_id === r.trade_id)).toBe(false);
  });
});
