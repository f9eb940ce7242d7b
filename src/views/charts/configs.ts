/**
 * chart.js configurations of the report's plots, built from a run's insights (src/analysis/runInsights.ts) and the
 * theme. Pure functions: the components only mount them.
 */
import type { ChartConfiguration, Plugin } from 'chart.js';
import type { DriftInsights, ModelCoefficients, RowsBySplitAge, SplitCurves } from '../../analysis/runInsights.ts';
import { PSI_MAJOR, PSI_MODERATE } from '../../ml/psi.ts';
import { fmt, splitStyle, type ChartTheme } from './theme.ts';

type XY = { x: number; y: number };

function axis(theme: ChartTheme, title: string, extra: Record<string, unknown> = {}) {
  return { type: 'linear' as const, title: { display: true, text: title, color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid }, ...extra };
}

function base(theme: ChartTheme) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false as const,
    plugins: {
      legend: { labels: { color: theme.fg, usePointStyle: true, boxWidth: 28 } },
      tooltip: { intersect: false },
    },
  };
}

function referenceLine(theme: ChartTheme, label: string, points: XY[]) {
  return { label, data: points, borderColor: theme.reference, backgroundColor: theme.reference, borderDash: [3, 3], borderWidth: 1, pointRadius: 0, showLine: true };
}

export function rocConfig(splits: SplitCurves[], theme: ChartTheme): ChartConfiguration<'scatter'> {
  const datasets = splits
    .filter((s) => s.auc !== null)
    .map((s) => {
      const st = splitStyle(s.split, theme);
      return {
        label: `${st.label} · AUC ${fmt(s.auc)}`,
        data: s.roc.fpr.map((x, i) => ({ x, y: s.roc.tpr[i] })),
        borderColor: st.color,
        backgroundColor: st.color,
        borderDash: st.dash,
        borderWidth: 2,
        pointRadius: 0,
        pointStyle: st.point,
        showLine: true,
      };
    });
  return {
    type: 'scatter',
    data: { datasets: [...datasets, referenceLine(theme, 'chance (AUC 0.5)', [{ x: 0, y: 0 }, { x: 1, y: 1 }])] },
    options: { ...base(theme), scales: { x: axis(theme, 'false positive rate', { min: 0, max: 1 }), y: axis(theme, 'true positive rate', { min: 0, max: 1 }) } },
  };
}

export function calibrationConfig(splits: SplitCurves[], theme: ChartTheme): ChartConfiguration<'scatter'> {
  const datasets = splits.map((s) => {
    const st = splitStyle(s.split, theme);
    return {
      label: st.label,
      data: s.calibration.meanPredicted.map((x, i) => ({ x, y: s.calibration.fractionPositive[i] })),
      borderColor: st.color,
      backgroundColor: st.color,
      borderDash: st.dash,
      borderWidth: 2,
      pointRadius: 4,
      pointStyle: st.point,
      showLine: true,
    };
  });
  return {
    type: 'scatter',
    data: { datasets: [...datasets, referenceLine(theme, 'perfectly calibrated', [{ x: 0, y: 0 }, { x: 1, y: 1 }])] },
    options: {
      ...base(theme),
      scales: { x: axis(theme, 'mean predicted continue_prob (10 bins)', { min: 0, max: 1 }), y: axis(theme, 'share with continue_target = 1', { min: 0, max: 1 }) },
    },
  };
}

export function edgeConfig(splits: SplitCurves[], theme: ChartTheme): ChartConfiguration<'scatter'> {
  let lo = Infinity;
  let hi = -Infinity;
  const datasets = splits.map((s) => {
    const st = splitStyle(s.split, theme);
    for (const v of [...s.edge.meanPredicted, ...s.edge.meanRealised]) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
    return {
      label: st.label,
      data: s.edge.meanPredicted.map((x, i) => ({ x, y: s.edge.meanRealised[i] })),
      borderColor: st.color,
      backgroundColor: st.color,
      borderDash: st.dash,
      borderWidth: 2,
      pointRadius: 4,
      pointStyle: st.point,
      showLine: true,
    };
  });
  if (!Number.isFinite(lo)) ((lo = 0), (hi = 1));
  return {
    type: 'scatter',
    data: { datasets: [...datasets, referenceLine(theme, 'realised = predicted', [{ x: lo, y: lo }, { x: hi, y: hi }])] },
    options: {
      ...base(theme),
      scales: { x: axis(theme, 'predicted edge, bps (decile mean)'), y: axis(theme, 'realised edge, bps (mean)') },
    },
  };
}

/** The largest coefficients by size (standardised features, so sizes compare), at most `top`. */
export function topCoefficients(fit: ModelCoefficients, top = 20): { feature: string; coef: number }[] {
  return fit.features
    .map((feature, i) => ({ feature, coef: fit.coef[i] }))
    .sort((a, b) => Math.abs(b.coef) - Math.abs(a.coef) || a.feature.localeCompare(b.feature))
    .slice(0, top);
}

export function coefficientConfig(fit: ModelCoefficients, theme: ChartTheme, top = 20): ChartConfiguration<'bar'> {
  const rows = topCoefficients(fit, top);
  return {
    type: 'bar',
    data: {
      // The sign is in the label too, not only in the bar's side and colour.
      labels: rows.map((r) => `${r.coef >= 0 ? '+' : '−'} ${r.feature}`),
      datasets: [
        {
          label: `${fit.key} (${fit.model})`,
          data: rows.map((r) => r.coef),
          backgroundColor: rows.map((r) => (r.coef >= 0 ? theme.positive : theme.negative)),
          borderColor: rows.map((r) => (r.coef >= 0 ? theme.positive : theme.negative)),
          borderWidth: 1,
          maxBarThickness: 22,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `coefficient ${fmt(ctx.parsed.x, 4)}` } } },
      scales: {
        x: { title: { display: true, text: 'coefficient on the standardised feature', color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid } },
        y: { ticks: { color: theme.fg, autoSkip: false, font: { size: 11 } }, grid: { display: false } },
      },
    },
  };
}

export function rowsConfig(rows: RowsBySplitAge, theme: ChartTheme): ChartConfiguration<'bar'> {
  // One bar per (split, age), named in words on the axis; colour only repeats what the label says.
  const labels: string[] = [];
  const data: number[] = [];
  const colors: string[] = [];
  rows.splits.forEach((split, s) => {
    rows.ages.forEach((age, a) => {
      labels.push(`${split} · ${age} min`);
      data.push(rows.counts[s][a]);
      colors.push(splitStyle(split, theme).color);
    });
  });
  return {
    type: 'bar',
    data: { labels, datasets: [{ label: 'state rows (both sides)', data, backgroundColor: colors, borderColor: colors, borderWidth: 1, maxBarThickness: 22 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: {
        y: { ticks: { color: theme.fg, autoSkip: false, font: { size: 11 } }, grid: { display: false } },
        x: { title: { display: true, text: 'state rows (both sides)', color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid }, beginAtZero: true },
      },
    },
  };
}

/** Vertical reference lines at the usual PSI readings, labelled in words. */
function psiThresholds(theme: ChartTheme): Plugin<'bar'> {
  return {
    id: 'psiThresholds',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = theme.reference;
      ctx.fillStyle = theme.muted;
      ctx.setLineDash([4, 3]);
      ctx.font = '11px system-ui, sans-serif';
      for (const [value, text] of [
        [PSI_MODERATE, 'moderate 0.1'],
        [PSI_MAJOR, 'major 0.25'],
      ] as const) {
        if (value > x.max) continue;
        const px = x.getPixelForValue(value);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillText(text, px + 3, area.top + 10);
      }
      ctx.restore();
    },
  };
}

export function driftConfig(drift: DriftInsights, theme: ChartTheme, top = 25): ChartConfiguration<'bar'> {
  const rows = drift.features.filter((f) => f.psi !== null).slice(0, top);
  const color = (level: string | null) => (level === 'major' ? theme.negative : level === 'moderate' ? theme.series[4] : theme.positive);
  const maxPsi = Math.max(0, ...rows.map((r) => r.psi ?? 0));
  return {
    type: 'bar',
    data: {
      labels: rows.map((r) => `${r.feature} (${r.level})`),
      datasets: [{ label: 'PSI', data: rows.map((r) => r.psi ?? 0), backgroundColor: rows.map((r) => color(r.level)), borderColor: rows.map((r) => color(r.level)), borderWidth: 1, maxBarThickness: 22 }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `PSI ${fmt(ctx.parsed.x, 4)}` } } },
      scales: {
        x: {
          min: 0,
          // Show the moderate line always, the major one when a feature comes near it.
          suggestedMax: Math.max(maxPsi * 1.1, PSI_MODERATE * 1.2),
          title: { display: true, text: `PSI, ${drift.reference} → ${drift.actual}`, color: theme.muted },
          ticks: { color: theme.muted },
          grid: { color: theme.grid },
        },
        y: { ticks: { color: theme.fg, autoSkip: false, font: { size: 11 } }, grid: { display: false } },
      },
    },
    plugins: [psiThresholds(theme)],
  };
}
