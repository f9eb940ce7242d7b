import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDecisionTime, pyStrip } from './isoTime.ts';
import { entriesFromCsv, importLedger, readLedger, recordJson, storedTradeFromJson, TradeDataset } from './ledger.ts';
import { canonicalPy, parsePyJson, pySplitLines, pyValueRepr } from './pyValue.ts';

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/swing/oracle_cases.json'), 'utf8'));

describe('Python json.loads as the reference sees ledger lines (oracle: Python 3.11)', () => {
  it.each(oracle.json.map((c: any) => [c.text, c]) as [string, any][])('%j', (_text, c) => {
    const parsed = parsePyJson(c.text);
    if (c.msg === null) {
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(canonicalPy(parsed.value)).toBe(c.canonical);
    } else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.msg).toBe(c.msg);
    }
  });

  it.each(oracle.repr.map((c: any) => [c.json, c.repr]) as [string, string][])('repr of %s', (json, repr) => {
    const parsed = parsePyJson(json);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(pyValueRepr(parsed.value)).toBe(repr);
  });
});

describe('datetime.fromisoformat (oracle: Python 3.11)', () => {
  it.each(oracle.time.map((c: any) => [c.text, c]) as [string, any][])('%j', (_text, c) => {
    expect(pyStrip(c.text)).toBe(c.strip);
    const t = parseDecisionTime(c.text);
    if (c.iso === null) expect(t).toBeNull();
    else {
      expect(t?.iso).toBe(c.iso);
      if (c.utc !== null) expect(t!.micros).toBe(Math.round(c.utc * 1e6));
    }
  });
});

describe('ledger import rules', () => {
  const line = (o: Record<string, unknown>) => JSON.stringify(o);
  const base = {
    trade_id: 'A1',
    symbol: 'AAPL',
    decision_timestamp: '2024-03-01T20:30:00Z',
    rule_confidence: 3,
    rule_features: { close: 180.5, sma_20: 178.2, dist_200sma: 0.05, vol_ratio: 1.1, atr_pct: 0.02 },
    position_size: 100,
    entry_price: 180.4,
    exit_price: 183.1,
    holding_days: 4,
    realized_pnl_pct: 0.015,
    mae_pct: -0.01,
    mfe_pct: 0.02,
    status: 'CLOSED',
  };
  const entries = (text: string) => pySplitLines(text).flatMap((raw, i) => (raw.trim() ? [{ line: i + 1, parsed: parsePyJson(raw) }] : []));

  it('keeps the good records, lists bad ones by line, counts open ones, never overwrites', () => {
    const text = [
      line(base),
      '',
      line({ ...base, trade_id: 'A2', status: 'OPEN', exit_price: null }),
      line({ ...base, trade_id: 'A3', status: undefined, exit_price: null }),
      line({ ...base, realized_pnl_pct: -0.02 }), // conflict
      line(base), // identical
      '{"trade_id": "A4", "symbol": ',
      line({ ...base, trade_id: '' }),
      line({ ...base, trade_id: 'A5', decision_timestamp: '31/12/2024' }),
      line({ ...base, trade_id: 'A6', realized_pnl_pct: '0.01' }),
      line({ ...base, trade_id: 'A2', decision_timestamp: '2024-03-04T20:30:00Z' }), // closed later: added
    ].join('\n');
    const dataset = new TradeDataset();
    const report = importLedger(entries(text), dataset);
    expect(report).toEqual({
      records: 10,
      closed_added: 2,
      identical_duplicates: 1,
      conflicts: [{ line: 5, trade_id: 'A1', fields: ['realized_pnl_pct'] }],
      open_skipped: 2,
      bad_records: [
        { line: 7, kind: 'invalid_json', reason: 'not valid JSON: Expecting value' },
        { line: 8, kind: 'missing_trade_id', reason: 'missing trade_id' },
        { line: 9, kind: 'unparsable_time', reason: "unparsable decision_timestamp: '31/12/2024'" },
        { line: 10, kind: 'non_numeric_pnl', reason: "non-numeric realized_pnl_pct: '0.01'" },
      ],
    });
    expect(dataset.get('A1')!.record.get('realized_pnl_pct')).toBe(0.015);
    expect(importLedger(entries(text), dataset).closed_added).toBe(0);
  });

  it('tells 100 from 100.0 as Python does', () => {
    const dataset = new TradeDataset();
    const report = importLedger(entries(`${line(base)}\n${line(base).replace('"position_size":100', '"position_size":100.0')}`), dataset);
    expect(report.conflicts).toEqual([{ line: 2, trade_id: 'A1', fields: ['position_size'] }]);
  });

  it('stores a record as text that gives back the same record', () => {
    const dataset = new TradeDataset();
    // written by hand: a JS object literal would put the integer-like keys first
    importLedger(entries(line(base).replace(/"rule_features":\{[^}]*\}/, '"rule_features":{"2":1,"b":2,"1":3}')), dataset);
    const stored = dataset.rows[0];
    const again = storedTradeFromJson(recordJson(stored.record));
    expect(again.canonical).toBe(stored.canonical);
    expect([...(again.record.get('rule_features') as Map<string, unknown>).keys()]).toEqual(['2', 'b', '1']);
  });

  it('reads CSV with rule_features.NAME columns, quoted cells and a short row', () => {
    const csv = 'trade_id,decision_timestamp,rule_features.close,rule_features.atr_pct,realized_pnl_pct,exit_price,notes\n' +
      '007,2024-03-01T20:30:00Z,180.5,0.02,0.015,183.1,"a, ""quoted""\nnote"\n' +
      'B2,2024-03-02T20:30:00Z,,0.03,-0.01,181,\n' +
      'B3,2024-03-02T20:30:00Z\n';
    const list = entriesFromCsv(csv, 'x.csv');
    expect(list.map((e) => e.line)).toEqual([2, 4, 5]);
    const first = list[0].parsed.ok ? (list[0].parsed.value as Map<string, any>) : null;
    expect(first!.get('trade_id')).toBe('007');
    expect(first!.get('notes')).toBe('a, "quoted"\nnote');
    expect(first!.get('exit_price')).toBe(183.1);
    const second = list[1].parsed.ok ? (list[1].parsed.value as Map<string, any>) : null;
    expect([...second!.get('rule_features').keys()]).toEqual(['atr_pct']);
    expect(second!.get('exit_price')).toBe(181n);
    const report = importLedger(list, new TradeDataset());
    expect(report.bad_records).toEqual([{ line: 5, kind: 'malformed_row', reason: 'expected 7 cells, found 2' }]);
    expect(report.closed_added).toBe(2);
  });

  it('refuses a file that is no ledger with an InputError naming it', async () => {
    await expect(readLedger(new Uint8Array([1, 2, 3]), 'notes.txt')).rejects.toThrow(/notes\.txt/);
    await expect(readLedger(new Uint8Array([0xff, 0xfe, 0x00]), 'bad.jsonl')).rejects.toThrow(/bad\.jsonl: the ledger is not UTF-8/);
  });
});
