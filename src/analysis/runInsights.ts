/**
 * What the report plots for a state-continue run, computed in the core (DOM-free) from the run's own outputs and
 * kept with the run as small plain data, so that views only draw:
 * - per model (side × feature set) and split: the ROC curve (scikit-learn's points, thinned for drawing; the AUC
 *   is the full curve's), the calibration curve (10 uniform bins) and predicted against realised continue edge
 *   (means in 10 quantile bins of the prediction), all from `state_continue_predictions.parquet`;
 * - rows per split and age (state rows, once per side: the `market_only` predictions hold every state row);
 * - the models' coefficients (on standardised features, so their sizes compare), from the fits;
 * - drift: PSI of each market feature between the baseline's `fit_inner` and `latest_stress` rows (src/ml/psi.ts),
 *   from the baseline's feature frame after the seed's quality filter.
 * Predictions and rows come from the stored artifacts, so they can be rebuilt for any stored or imported run;
 * coefficients and drift need what only the run itself holds (fits, the input frame) and are absent otherwise.
 */
import { release } from '../core/release.ts';
import { ALL_SPLITS, FIT_SPLIT, LATEST_STRESS_SPLIT, STATE_FEATURES } from '../core/constants.ts';
import { numericSlice, type Frame, type StringColumn } from '../data/frame.ts';
import { calibrationCurve, binnedMeans, rocCurve, thinCurve } from '../ml/curves.ts';
import { populationStabilityIndex, psiLevel, type PsiLevel } from '../ml/psi.ts';
import { gather, positionsWhere } from '../core/arrays.ts';

export const INSIGHTS_VERSION = 1;
/** Points of a drawn ROC curve at most (the AUC is always the full curve's). */
export const ROC_MAX_POINTS = 200;
export const CALIBRATION_BINS = 10;
export const EDGE_BINS = 10;

export interface SplitCurves {
  split: string;
  rows: number;
  positives: number;
  /** Full-curve AUC (trapezoid over scikit-learn's points); null with one class. */
  auc: number | null;
  roc: { fpr: number[]; tpr: number[] };
  calibration: { meanPredicted: number[]; fractionPositive: number[]; count: number[] };
  edge: { meanPredicted: number[]; meanRealised: number[]; count: number[] };
}

export interface ModelCurves {
  /** long_market_only, … (the result keys). */
  key: string;
  side: string;
  featureSet: string;
  splits: SplitCurves[];
}

export interface ModelCoefficients {
  /** `${resultKey}:classifier` or `${resultKey}:regressor`. */
  key: string;
  model: string;
  features: string[];
  coef: number[];
  intercept: number;
}

export interface FeatureDrift {
  feature: string;
  psi: number | null;
  level: PsiLevel | null;
  referenceMissing: number;
  actualMissing: number;
}

export interface DriftInsights {
  reference: string;
  actual: string;
  referenceRows: number;
  actualRows: number;
  /** Sorted by PSI, largest first (null last). */
  features: FeatureDrift[];
}

export interface RowsBySplitAge {
  splits: string[];
  ages: number[];
  /** counts[s][a]: state rows of split s at age a, both sides. */
  counts: number[][];
}

export interface RunInsights {
  version: number;
  models: ModelCurves[];
  rows: RowsBySplitAge;
  coefficients: ModelCoefficients[] | null;
  drift: DriftInsights | null;
}

function stringCodes(frame: Frame, name: string, file: string): StringColumn {
  const column = frame.columns[name];
  if (!column || column.kind !== 'string') throw new Error(`${file}: column ${name} must be a string column, found ${column?.kind ?? 'none'}`);
  return column;
}

/** A numeric column's values: the frame's own array, or a copy made for the caller, then added to `made` (to free
 * once read: the predictions' columns are indexed, 7 to 14 MB each on L). */
function numbers(frame: Frame, name: string, file: string, made?: ArrayBufferView[]): ArrayLike<number> {
  const column = frame.columns[name];
  if (!column) throw new Error(`${file}: column ${name} is missing`);
  if (column.kind === 'number') return column.values;
  const copy = column.kind === 'indexed' ? numericSlice(column) : column.kind === 'bool' ? Float64Array.from(column.values, (v) => (v === 255 ? NaN : v)) : null;
  if (!copy) throw new Error(`${file}: column ${name} must be numeric, found ${column.kind}`);
  made?.push(copy);
  return copy;
}

const PREDICTIONS_FILE = 'state_continue_predictions.parquet';
/** Drawn points only (never the AUC): 1e-5 is far below a pixel and keeps the stored run small. */
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;
/** The columns of the predictions artifact the plots read. */
export const PREDICTION_PLOT_COLUMNS = ['split_id', 'side', 'feature_set', 'continue_target', 'expected_continue_edge_bps', 'continue_prob', 'predicted_continue_edge_bps', 'time_in_position_minutes'];

/** Curves per model and split, and rows per split and age, from the predictions frame. */
export function predictionInsights(predictions: Frame): Pick<RunInsights, 'models' | 'rows'> {
  const side = stringCodes(predictions, 'side', PREDICTIONS_FILE);
  const set = stringCodes(predictions, 'feature_set', PREDICTIONS_FILE);
  const split = stringCodes(predictions, 'split_id', PREDICTIONS_FILE);
  // the copies made here (and per split below) are freed as soon as read, not left to pile up for the collector
  const made: ArrayBufferView[] = [];
  const target = numbers(predictions, 'continue_target', PREDICTIONS_FILE, made);
  const realised = numbers(predictions, 'expected_continue_edge_bps', PREDICTIONS_FILE, made);
  const prob = numbers(predictions, 'continue_prob', PREDICTIONS_FILE, made);
  const edge = numbers(predictions, 'predicted_continue_edge_bps', PREDICTIONS_FILE, made);
  const age = numbers(predictions, 'time_in_position_minutes', PREDICTIONS_FILE, made);
  const n = predictions.length;

  // Rows grouped by (model, split), model = side × feature set, by a counting sort into one typed array (rows
  // ascending within a group): no object or JS array per row.
  const SIDE_NAMES = ['long', 'short'];
  const SET_NAMES = ['market_only', 'market_plus_state'];
  const modelKeys: string[] = [];
  for (const sideName of SIDE_NAMES) for (const setName of SET_NAMES) modelKeys.push(`${sideName}_${setName}`);
  const splitIndex = split.dictionary.map((s) => (ALL_SPLITS as readonly string[]).indexOf(s));
  const sideIndex = side.dictionary.map((s) => SIDE_NAMES.indexOf(s.toLowerCase()));
  const setIndex = set.dictionary.map((s) => SET_NAMES.indexOf(s));
  const groupCount = modelKeys.length * ALL_SPLITS.length;
  const groupOf = (i: number): number => {
    const s = split.codes[i] < 0 ? -1 : splitIndex[split.codes[i]];
    const d = side.codes[i] < 0 ? -1 : sideIndex[side.codes[i]];
    const f = set.codes[i] < 0 ? -1 : setIndex[set.codes[i]];
    return s < 0 || d < 0 || f < 0 ? -1 : (d * SET_NAMES.length + f) * ALL_SPLITS.length + s;
  };
  const groupStart = new Int32Array(groupCount + 1);
  for (let i = 0; i < n; i++) {
    const g = groupOf(i);
    if (g >= 0) groupStart[g + 1]++;
  }
  for (let g = 0; g < groupCount; g++) groupStart[g + 1] += groupStart[g];
  const grouped = new Int32Array(groupStart[groupCount]);
  const cursor = groupStart.slice(0, groupCount);
  for (let i = 0; i < n; i++) {
    const g = groupOf(i);
    if (g >= 0) grouped[cursor[g]++] = i;
  }
  const groupRows = (model: number, s: number): Int32Array | null => {
    const g = model * ALL_SPLITS.length + s;
    return groupStart[g + 1] > groupStart[g] ? grouped.subarray(groupStart[g], groupStart[g + 1]) : null;
  };
  const models: ModelCurves[] = [];
  for (const [model, key] of modelKeys.entries()) {
    const splits: SplitCurves[] = [];
    ALL_SPLITS.forEach((splitName, s) => {
      const rows = groupRows(model, s);
      if (!rows) return;
      const y = gather(Float64Array, target, rows);
      const p = gather(Float64Array, prob, rows);
      const roc = rocCurve(y, p);
      const thin = thinCurve(roc.fpr, roc.tpr, ROC_MAX_POINTS);
      const cal = calibrationCurve(y, p, CALIBRATION_BINS, 'uniform');
      const [predictedEdge, realisedEdge] = [gather(Float64Array, edge, rows), gather(Float64Array, realised, rows)];
      const bins = binnedMeans(predictedEdge, realisedEdge, EDGE_BINS);
      release(y, p, predictedEdge, realisedEdge);
      splits.push({
        split: splitName,
        rows: rows.length,
        positives: roc.positives,
        auc: roc.auc,
        roc: { fpr: thin.x.map(round5), tpr: thin.y.map(round5) },
        calibration: { meanPredicted: cal.meanPredicted, fractionPositive: cal.fractionPositive, count: cal.count },
        edge: { meanPredicted: bins.meanX, meanRealised: bins.meanY, count: bins.count },
      });
    });
    if (splits.length) {
      const [sideName, ...rest] = key.split('_');
      models.push({ key, side: sideName.toUpperCase(), featureSet: rest.join('_'), splits });
    }
  }

  // Rows per split and age: the market_only predictions hold each state row once (one per side).
  const agesSet = new Set<number>();
  const marketOnly = set.dictionary.indexOf('market_only');
  for (let i = 0; i < n; i++) if (set.codes[i] === marketOnly && Number.isFinite(age[i])) agesSet.add(age[i]);
  const ages = [...agesSet].sort((a, b) => a - b);
  const ageIndex = new Map(ages.map((a, k) => [a, k]));
  const splitsPresent = ALL_SPLITS.filter((_, s) => modelKeys.some((_, model) => groupRows(model, s) !== null));
  const counts = splitsPresent.map(() => new Array<number>(ages.length).fill(0));
  for (let i = 0; i < n; i++) {
    if (set.codes[i] !== marketOnly || split.codes[i] < 0) continue;
    const s = splitsPresent.indexOf(split.dictionary[split.codes[i]] as (typeof ALL_SPLITS)[number]);
    const a = ageIndex.get(age[i]);
    if (s >= 0 && a !== undefined) counts[s][a]++;
  }
  release(...made, groupStart, grouped, cursor);
  return { models, rows: { splits: [...splitsPresent], ages, counts } };
}

/** The coefficients of the eight fits, named by feature (market_plus_state = FEATURE_ORDER + STATE_FEATURES). */
export function coefficientInsights(
  fits: { key: string; model: string; coef: ArrayLike<number>; intercept: number }[],
  featureOrder: string[],
): ModelCoefficients[] {
  return fits.map((fit) => {
    const features = fit.key.includes('market_plus_state') ? [...featureOrder, ...STATE_FEATURES] : [...featureOrder];
    if (features.length !== fit.coef.length) throw new Error(`fit ${fit.key}: ${fit.coef.length} coefficients for ${features.length} features`);
    return { key: fit.key, model: fit.model, features, coef: Array.from(fit.coef), intercept: fit.intercept };
  });
}

/**
 * PSI of each market feature between `fit_inner` and `latest_stress` rows of the baseline's feature frame, after
 * the seed's filter (`rows`: the filtered row indices, as stateFrame.ts's filterFeatureRows gives them). Null
 * when either split has no row.
 */
export function featureDrift(featureFrame: Frame, featureOrder: string[], rows: ArrayLike<number>, reference = FIT_SPLIT, actual = LATEST_STRESS_SPLIT): DriftInsights | null {
  const split = stringCodes(featureFrame, 'split_id', 'feature/feature_frame.parquet');
  const refCode = split.dictionary.indexOf(reference);
  const actCode = split.dictionary.indexOf(actual);
  // the two splits' rows, in typed arrays (not JS arrays pushed to, row by row)
  const inSplit = (code: number): Int32Array => {
    if (code < 0) return new Int32Array(0);
    const positions = positionsWhere(rows.length, (k) => split.codes[rows[k]] === code);
    const out = gather(Int32Array, rows, positions);
    release(positions);
    return out;
  };
  const refRows = inSplit(refCode);
  const actRows = inSplit(actCode === refCode ? -1 : actCode);
  if (refRows.length === 0 || actRows.length === 0) {
    release(refRows, actRows);
    return null;
  }
  const features: FeatureDrift[] = featureOrder.map((feature) => {
    const values = numbers(featureFrame, feature, 'feature/feature_frame.parquet');
    const [ref, act] = [gather(Float64Array, values, refRows), gather(Float64Array, values, actRows)];
    const r = populationStabilityIndex(ref, act);
    release(ref, act);
    return { feature, psi: r.psi, level: r.psi === null ? null : psiLevel(r.psi), referenceMissing: r.referenceMissing, actualMissing: r.actualMissing };
  });
  features.sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1) || a.feature.localeCompare(b.feature));
  const counts = { referenceRows: refRows.length, actualRows: actRows.length };
  release(refRows, actRows);
  return { reference, actual, ...counts, features };
}

/** Everything, as the pipeline computes it at the end of a run (it holds the fits and the baseline's frame). */
export function buildRunInsights(input: {
  predictions: Frame;
  featureFrame: Frame;
  featureOrder: string[];
  /** Rows of the feature frame kept by the seed's filter (stateFrame.ts filterFeatureRows). */
  featureRows: ArrayLike<number>;
  fits: { key: string; model: string; coef: ArrayLike<number>; intercept: number }[];
}): RunInsights {
  return {
    version: INSIGHTS_VERSION,
    ...predictionInsights(input.predictions),
    coefficients: input.fits.length ? coefficientInsights(input.fits, input.featureOrder) : null,
    drift: featureDrift(input.featureFrame, input.featureOrder, input.featureRows),
  };
}

/** Insights from a stored run's artifacts alone (stored or imported runs): curves and rows, no coefficients or drift. */
export function insightsFromPredictions(predictions: Frame): RunInsights {
  return { version: INSIGHTS_VERSION, ...predictionInsights(predictions), coefficients: null, drift: null };
}
