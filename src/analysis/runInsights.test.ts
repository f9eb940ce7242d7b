import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readParquet } from '../data/parquet.ts';
import { filterFeatureRows } from '../experiments/stateContinue/stateFrame.ts';
import { populationStabilityIndex } from '../ml/psi.ts';
import { coefficientInsights, featureDrift, insightsFromPredictions, ROC_MAX_POINTS } from './runInsights.ts';

// The seed's outputs on the default fixture (scikit-learn 1.2): its predictions and its own metrics.
const dir = new URL('../../test/fixtures/state-continue/default/', import.meta.url);
const bytes = (path: string) => new Uint8Array(readFileSync(new URL(path, dir)));
const json = (path: string) => JSON.parse(readFileSync(new URL(path, dir), 'utf8'));

describe('insights from the predictions artifact', () => {
  const predictions = readParquet(bytes('expected/state_continue_predictions.parquet'), 'state_continue_predictions.parquet');
  const insights = insightsFromPredictions(predictions);
  const result = json('expected/state_continue_result.json') as Record<string, Record<string, Record<string, number>>>;
  const manifest = json('expected/experiment_manifest.json') as { split_counts: Record<string, number>; ages_minutes: number[]; row_count: number };

  it('has one curve set per model and split, with the seed’s row counts and AUC', () => {
    expect(insights.models.map((m) => m.key).sort()).toEqual(Object.keys(result).sort());
    for (const model of insights.models) {
      for (const s of model.splits) {
        const seed = result[model.key][s.split];
        expect(s.rows).toBe(seed.row_count);
        expect(s.positives / s.rows).toBeCloseTo(seed.positive_rate, 12);
        if (seed.continue_auc === undefined) expect(s.auc).toBeNull();
        // The predictions parquet holds the probabilities the seed scored (SPEC §6: AUC within 5e-4).
        else expect(Math.abs((s.auc ?? NaN) - seed.continue_auc)).toBeLessThanOrEqual(5e-4);
        expect(s.roc.fpr.length).toBeLessThanOrEqual(ROC_MAX_POINTS);
        if (s.auc !== null) {
          expect(s.roc.fpr[0]).toBe(0);
          expect(s.roc.fpr.at(-1)).toBe(1);
          expect(s.roc.tpr.at(-1)).toBe(1);
        }
        expect(s.calibration.count.reduce((a, b) => a + b, 0)).toBe(s.rows);
        expect(s.edge.count.reduce((a, b) => a + b, 0)).toBe(s.rows);
        // Mean of realised edge over the bins is the split's mean target.
      }
    }
  });

  it('are the same from indexed columns (as a run holds its predictions), whose copies it frees, not the sources', () => {
    const index = Int32Array.from({ length: predictions.length }, (_, i) => i);
    const columns = Object.fromEntries(
      predictions.names.map((name) => {
        const c = predictions.columns[name];
        return [name, c.kind === 'number' ? { kind: 'indexed' as const, type: c.type, source: c.values, index } : c];
      }),
    );
    const indexed = { length: predictions.length, names: predictions.names, columns };
    const sources = predictions.names.map((name) => predictions.columns[name]).filter((c) => c.kind === 'number');
    const lengths = sources.map((c) => (c.kind === 'number' ? c.values.length : 0));
    expect(insightsFromPredictions(indexed)).toEqual(insights);
    expect(sources.map((c) => (c.kind === 'number' ? c.values.length : 0))).toEqual(lengths);
    expect(index.length).toBe(predictions.length);
  });

  it('counts state rows per split and age as the experiment manifest does', () => {
    expect(insights.rows.ages).toEqual(manifest.ages_minutes);
    const total = insights.rows.counts.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(manifest.row_count);
    insights.rows.splits.forEach((split, s) => {
      expect(insights.rows.counts[s].reduce((a, b) => a + b, 0)).toBe(manifest.split_counts[split]);
    });
  });
});

describe('feature drift of the baseline', () => {
  const featureOrder = json('baseline/feature/feature_order.json') as string[];
  const frame = readParquet(bytes('baseline/feature/feature_frame.parquet'), 'feature_frame.parquet');
  const rows = filterFeatureRows(frame, featureOrder);
  const drift = featureDrift(frame, featureOrder, rows)!;

  it('gives one PSI per market feature between fit_inner and latest_stress, largest first', () => {
    expect(drift.features.map((f) => f.feature).sort()).toEqual([...featureOrder].sort());
    for (let k = 1; k < drift.features.length; k++) expect(drift.features[k - 1].psi!).toBeGreaterThanOrEqual(drift.features[k].psi!);
    const split = frame.columns.split_id;
    if (split.kind !== 'string') throw new Error('split_id');
    const fit = split.dictionary.indexOf('fit_inner');
    const stress = split.dictionary.indexOf('latest_stress');
    const refRows = Array.from(rows).filter((i) => split.codes[i] === fit);
    const actRows = Array.from(rows).filter((i) => split.codes[i] === stress);
    expect(drift.referenceRows).toBe(refRows.length);
    expect(drift.actualRows).toBe(actRows.length);
    // The top feature's number is the PSI of exactly those rows.
    const top = drift.features[0];
    const values = frame.columns[top.feature];
    if (values.kind !== 'number') throw new Error('feature');
    const psi = populationStabilityIndex(refRows.map((i) => values.values[i]), actRows.map((i) => values.values[i])).psi;
    expect(top.psi).toBe(psi);
  });

  it('is null when a split is missing', () => {
    expect(featureDrift(frame, featureOrder, rows, 'fit_inner', 'no_such_split')).toBeNull();
  });
});

describe('coefficients', () => {
  it('names market_plus_state coefficients with the state features after the market ones', () => {
    const c = coefficientInsights(
      [
        { key: 'long_market_only:classifier', model: 'logistic', coef: [1, 2], intercept: 0.5 },
        { key: 'long_market_plus_state:regressor', model: 'huber', coef: new Float64Array(13), intercept: 0 },
      ],
      ['f1', 'f2'],
    );
    expect(c[0].features).toEqual(['f1', 'f2']);
    expect(c[1].features.slice(0, 3)).toEqual(['f1', 'f2', 'position_side_sign']);
    expect(() => coefficientInsights([{ key: 'long_market_only:classifier', model: 'logistic', coef: [1], intercept: 0 }], ['f1', 'f2'])).toThrow(/1 coefficients for 2/);
  });
});
