// One colour-blind-safe palette for every chart of the demo pages (Okabe & Ito's colours;
// orange darkened to #AD5700 so every line has at least 3:1 contrast on white), and a dash
// pattern and a point marker per series, so no series is told apart by colour alone.

export interface SeriesStyle {
  color: string;
  /** chart.js borderDash ([] = solid). */
  dash: number[];
  /** chart.js pointStyle. */
  marker: 'circle' | 'triangle' | 'rect' | 'rectRot' | 'crossRot' | 'star' | 'cross';
}

export const STYLE: Record<'baseline' | 'gi' | 'truth' | 'green' | 'purple' | 'amber' | 'grey', SeriesStyle> = {
  baseline: { color: '#0072B2', dash: [], marker: 'circle' },
  gi: { color: '#D55E00', dash: [7, 4], marker: 'triangle' },
  truth: { color: '#000000', dash: [2, 3], marker: 'rect' },
  green: { color: '#009E73', dash: [10, 3, 2, 3], marker: 'rectRot' },
  purple: { color: '#CC79A7', dash: [3, 3], marker: 'crossRot' },
  amber: { color: '#AD5700', dash: [12, 4], marker: 'star' },
  grey: { color: '#555555', dash: [4, 4], marker: 'cross' },
};

/** chart.js dataset fields for a series style. */
export function lineStyle(s: SeriesStyle, pointRadius = 3) {
  return { borderColor: s.color, backgroundColor: s.color, borderDash: s.dash, pointStyle: s.marker, pointRadius, borderWidth: 2 };
}

/** The viridis colour map (perceptually uniform, colour-blind safe) at t ∈ [0, 1]. */
export function viridis(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
  ];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]))) as [number, number, number];
}
