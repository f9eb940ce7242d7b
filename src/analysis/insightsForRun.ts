/**
 * The insights of a stored run for the report: those the run was stored with, or (for runs stored before, or
 * imported from a file made elsewhere) the ones its predictions artifact gives. Page-side: it reads parquet.
 */
import { readParquet } from '../data/parquet.ts';
import { ensureParquetWasm } from '../data/parquetInit.ts';
import { artifactBytes, type Artifact } from '../experiments/stateContinue/inputs.ts';
import { INSIGHTS_VERSION, insightsFromPredictions, PREDICTION_PLOT_COLUMNS, type RunInsights } from './runInsights.ts';

const PREDICTIONS = 'state_continue_predictions.parquet';

export async function insightsForRun(run: { insights?: unknown }, artifacts: Pick<Artifact, 'name' | 'bytes'>[]): Promise<RunInsights | null> {
  const stored = run.insights as RunInsights | undefined | null;
  if (stored && stored.version === INSIGHTS_VERSION) return stored;
  const predictions = artifacts.find((a) => a.name === PREDICTIONS);
  if (!predictions) return null;
  await ensureParquetWasm();
  return insightsFromPredictions(readParquet(await artifactBytes(predictions), PREDICTIONS, { columns: PREDICTION_PLOT_COLUMNS }));
}
