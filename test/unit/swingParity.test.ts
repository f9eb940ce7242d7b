/**
 * Parity of the risk filter with /opt/ref/swing_reference.py (scikit-learn 1.2) on the seeded ledgers of
 * test/fixtures/swing (made by scripts/fixtures/make_swing_fixtures.sh). Tolerances: SPEC §6.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOLERANCE } from '../../src/core/constants.ts';
import { readLedger } from '../../src/experiments/riskFilter/ledger.ts';
import { runSwingReference, swingResultObject, swingResultText } from '../../src/experiments/riskFilter/swingResult.ts';

const ROOT = join(import.meta.dirname, '../fixtures/swing');
const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

type Json = any;

async function ours(name: string): Promise<{ result: Json; text: string; format: string }> {
  const args = JSON.parse(readFileSync(join(ROOT, name, 'args.json'), 'utf8'));
  const bytes = new Uint8Array(readFileSync(join(ROOT, name, args.ledger)));
  const source = await readLedger(bytes, args.ledger);
  const run = await runSwingReference(source, { maeThreshold: args.maeThreshold, minRows: args.minRows, riskThreshold: args.riskThreshold });
  const text = swingResultText(run);
  return { result: JSON.parse(text), text, format: source.format };
}

function expected(name: string): { result: Json; text: string } {
  const text = readFileSync(join(ROOT, name, 'swing_result.json'), 'utf8');
  return { result: JSON.parse(text), text };
}

/** Same keys in the same order, recursively (the reference's field order). */
function keyPaths(value: Json, path = ''): string[] {
  if (Array.isArray(value)) return value.length && typeof value[0] === 'object' && value[0] !== null ? keyPaths(value[0], `${path}[0]`) : [];
  if (value && typeof value === 'object') return Object.keys(value).flatMap((k) => [`${path}.${k}`, ...keyPaths(value[k], `${path}.${k}`)]);
  return [];
}

function closeRel(actual: number, want: number, rel: number) {
  expect(Math.abs(actual - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));
}

function compareTable(actual: Json, want: Json) {
  expect(actual.trade_count).toBe(want.trade_count);
  expect(actual.bad_trades).toBe(want.bad_trades);
  for (const key of ['win_rate', 'expectancy', 'max_drawdown']) {
    if (want[key] === null) expect(actual[key]).toBeNull();
    else closeRel(actual[key], want[key], 1e-12);
  }
}

describe.each(CASES)('swing_result.json parity: %s', (name) => {
  it('matches the reference field by field', async () => {
    const { result: got, format } = await ours(name);
    const { result: want } = expected(name);
    expect(keyPaths(got)).toEqual(keyPaths(want));

    // input: the JSON Lines cases read the same bytes as the reference; a table variant is read from its own file
    const lineShift = format === 'csv' ? 1 : 0; // the CSV header is line 1
    if (format === 'jsonl') expect(got.input).toEqual(want.input);
    else if (format === 'csv') expect(got.input.lines).toBe(want.input.lines + 1);
    else expect(got.input.lines).toBe(want.input.lines);

    expect(got.params).toEqual(want.params);
    const shift = (items: Json[]) => items.map((item) => ({ ...item, line: item.line + lineShift }));
    expect(got.import).toEqual({ ...want.import, conflicts: shift(want.import.conflicts), bad_records: shift(want.import.bad_records) });
    expect(got.reimport_added).toBe(0);
    expect(got.reimport_added).toBe(want.reimport_added);

    const { bad_trade_rate: rate, ...dataset } = want.dataset;
    expect({ ...got.dataset, bad_trade_rate: undefined }).toEqual({ ...dataset, bad_trade_rate: undefined });
    if (rate === null) expect(got.dataset.bad_trade_rate).toBeNull();
    else closeRel(got.dataset.bad_trade_rate, rate, 1e-12);

    const t = got.training;
    const w = want.training;
    expect(t.status).toBe(w.status);
    if (w.status === 'refused') {
      expect(t).toEqual(w);
      expect(got.evaluation).toBeUndefined();
      return;
    }
    for (const key of ['n_train', 'n_test', 'train_range', 'test_range', 'confusion_matrix', 'test_trade_ids', 'iterations']) expect(t[key], key).toEqual(w[key]);
    for (const key of ['train_bad_rate', 'test_bad_rate', 'train_accuracy', 'test_accuracy']) closeRel(t[key], w[key], 1e-12);
    expect(Math.abs(t.test_auc - w.test_auc)).toBeLessThanOrEqual(TOLERANCE.auc);
    expect(Math.abs(t.test_brier - w.test_brier)).toBeLessThanOrEqual(TOLERANCE.brierRelative * w.test_brier);
    // coefficients: same order by magnitude, each within 1e-3 of the largest
    const largest = Math.max(...w.coefficients.map((c: Json) => Math.abs(c.coefficient)));
    expect(t.coefficients.map((c: Json) => c.feature)).toEqual(w.coefficients.map((c: Json) => c.feature));
    t.coefficients.forEach((c: Json, j: number) => {
      expect(Math.abs(c.coefficient - w.coefficients[j].coefficient)).toBeLessThanOrEqual(TOLERANCE.riskCoefficientRelative * largest);
    });
    expect(Math.abs(t.intercept - w.intercept)).toBeLessThanOrEqual(TOLERANCE.riskCoefficientRelative * largest);
    t.scaler.mean.forEach((m: number, j: number) => closeRel(m, w.scaler.mean[j], 1e-12));
    t.scaler.scale.forEach((s: number, j: number) => closeRel(s, w.scaler.scale[j], 1e-12));
    t.test_risk.forEach((p: number, i: number) => expect(Math.abs(p - w.test_risk[i])).toBeLessThanOrEqual(TOLERANCE.probability));

    for (const part of ['test', 'all']) {
      const a = got.evaluation[part];
      const b = want.evaluation[part];
      compareTable(a.rules_only, b.rules_only);
      compareTable(a.rules_ml, b.rules_ml);
      expect(a.bad_trades_avoided).toBe(b.bad_trades_avoided);
      expect(a.good_trades_blocked).toBe(b.good_trades_blocked);
    }
  });
});

describe('swing_result.json text', () => {
  it('is byte-identical to the reference where no fitted number is involved (a refused training)', async () => {
    for (const name of ['too_small', 'one_class', 'missing_feature']) {
      expect((await ours(name)).text).toBe(expected(name).text);
    }
  });

  it('the too-small ledger gives the seed message', async () => {
    const { result } = await ours('too_small');
    expect(result.training).toEqual({ status: 'refused', message: 'Dataset too small (14 rows). Need >= 20' });
  });

  it('writes Python floats as floats (0.0 drawdown, 0.2 fraction) and ints as ints', async () => {
    const { text } = await ours('normal');
    expect(text).toContain('"test_fraction": 0.2');
    expect(text).toMatch(/"min_rows": 20,/);
    const obj = swingResultObject(await runSwingReference(await readLedger(new TextEncoder().encode(''), 'empty.jsonl'), { maeThreshold: 0.03, minRows: 20, riskThreshold: 1 }));
    expect(obj.dataset).toEqual({ row_count: 0, time_range: null, feature_names: [], bad_trade_rate: null });
  });
});
