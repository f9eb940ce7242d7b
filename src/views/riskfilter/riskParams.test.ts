import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_FORM, parseRiskParams } from './riskParams.ts';

describe('risk filter parameter form', () => {
  it('defaults are SPEC §4 numbers', () => {
    expect(parseRiskParams(DEFAULT_RISK_FORM)).toEqual({ ok: true, params: { maeThreshold: 0.03, minRows: 20, riskThreshold: 0.5 } });
    expect(parseRiskParams({ maeThreshold: '0.05', minRows: '30', riskThreshold: '0.35' })).toEqual({ ok: true, params: { maeThreshold: 0.05, minRows: 30, riskThreshold: 0.35 } });
  });

  it('names each bad field with what was expected and found', () => {
    expect(parseRiskParams({ maeThreshold: '-1', minRows: '2.5', riskThreshold: 'high' })).toEqual({
      ok: false,
      problems: [
        'param-mae-threshold: expected a number ≥ 0 (e.g. 0.03), found "-1"',
        'param-min-rows: expected a whole number ≥ 1 (e.g. 20), found "2.5"',
        'param-risk-threshold: expected a probability between 0 and 1 (e.g. 0.5), found "high"',
      ],
    });
    expect(parseRiskParams({ ...DEFAULT_RISK_FORM, riskThreshold: '' })).toMatchObject({ ok: false, problems: ['param-risk-threshold: expected a probability between 0 and 1 (e.g. 0.5), found ""'] });
  });
});
