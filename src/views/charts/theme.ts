/**
 * Chart colours and marks, read from the page's CSS variables (src/app/app.css) so charts follow the light and
 * dark schemes, and re-read when the scheme changes. Series never differ by colour alone: each split also has its
 * own dash pattern and point shape, and every chart has its numbers in a table.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

let registered = false;
export function registerCharts(): void {
  if (registered) return;
  Chart.register(LineController, ScatterController, BarController, LineElement, PointElement, BarElement, LinearScale, CategoryScale, Legend, Tooltip);
  registered = true;
}

export interface ChartTheme {
  dark: boolean;
  fg: string;
  muted: string;
  grid: string;
  panel: string;
  /** Colour-blind-safe (Okabe–Ito) series colours, lighter in the dark scheme. */
  series: string[];
  positive: string;
  negative: string;
  reference: string;
  font: string;
}

const LIGHT_SERIES = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const DARK_SERIES = ['#56B4E9', '#F0A35E', '#3DD6A3', '#E7A3CF', '#F2C14E', '#9AD0F5'];

function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function isDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function chartTheme(): ChartTheme {
  const dark = isDark();
  return {
    dark,
    fg: cssVar('--fg', dark ? '#e6e8eb' : '#1d1f21'),
    muted: cssVar('--muted', dark ? '#a0a7b0' : '#5c6166'),
    grid: cssVar('--border', dark ? '#3a3f46' : '#d5d8dc'),
    panel: cssVar('--panel', dark ? '#1e2125' : '#ffffff'),
    series: dark ? DARK_SERIES : LIGHT_SERIES,
    positive: dark ? '#56B4E9' : '#0072B2',
    negative: dark ? '#F0A35E' : '#D55E00',
    reference: dark ? '#8b929b' : '#7a8088',
    font: cssVar('font-family', 'system-ui, sans-serif'),
  };
}

/** Calls `onChange` when the colour scheme changes; returns the unsubscribe. */
export function watchScheme(onChange: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/** Each split's marks: a colour, a dash pattern and a point shape (meaning is never carried by colour alone). */
export const SPLIT_STYLE: Record<string, { index: number; dash: number[]; point: 'circle' | 'rect' | 'triangle' | 'rectRot'; label: string }> = {
  fit_inner: { index: 3, dash: [2, 3], point: 'circle', label: 'fit_inner (in-sample)' },
  tune: { index: 0, dash: [], point: 'rect', label: 'tune' },
  validation_locked: { index: 1, dash: [8, 4], point: 'triangle', label: 'validation_locked' },
  latest_stress: { index: 2, dash: [10, 3, 2, 3], point: 'rectRot', label: 'latest_stress' },
};

export function splitStyle(split: string, theme: ChartTheme) {
  const s = SPLIT_STYLE[split] ?? { index: 3, dash: [4, 2], point: 'circle' as const, label: split };
  return { color: theme.series[s.index % theme.series.length], dash: s.dash, point: s.point, label: s.label };
}

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.abs(x) >= 1000 ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : x.toFixed(digits);
}
