/** The risk filter's parameter form: text fields in, checked numbers out (each problem names its field). */
import { RISK_FILTER_DEFAULTS } from '../../core/constants.ts';
import type { RiskParams } from '../../experiments/riskFilter/trainer.ts';

export interface RiskParamForm {
  maeThreshold: string;
  minRows: string;
  riskThreshold: string;
}

export const DEFAULT_RISK_FORM: RiskParamForm = {
  maeThreshold: String(RISK_FILTER_DEFAULTS.maeThreshold),
  minRows: String(RISK_FILTER_DEFAULTS.minRows),
  riskThreshold: String(RISK_FILTER_DEFAULTS.riskThreshold),
};

/** Parse the form: each field named in the problem when it is not what it should be. */
export function parseRiskParams(form: RiskParamForm): { ok: true; params: RiskParams } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const num = (text: string, id: string, check: (x: number) => boolean, expected: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value) || !check(value)) problems.push(`${id}: expected ${expected}, found ${JSON.stringify(text)}`);
    return value;
  };
  const maeThreshold = num(form.maeThreshold, 'param-mae-threshold', (x) => x >= 0, 'a number ≥ 0 (e.g. 0.03)');
  const minRows = num(form.minRows, 'param-min-rows', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1 (e.g. 20)');
  const riskThreshold = num(form.riskThreshold, 'param-risk-threshold', (x) => x >= 0 && x <= 1, 'a probability between 0 and 1 (e.g. 0.5)');
  return problems.length ? { ok: false, problems } : { ok: true, params: { maeThreshold, minRows, riskThreshold } };
}

