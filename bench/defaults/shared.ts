// What bench/defaults/eval.ts and selection.ts both use: their command-line options, number
// formatting, and the plot of 'auto' against the best fixed w.

/** The value after `--name` on the command line, if given. */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const geomean = (xs: readonly number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
export const f3 = (x: number): string => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

export interface AutoPoint {
  best: number;
  auto: number;
  smooth: boolean;
  label: string;
}

/** One point per case: 'auto''s test error against the best fixed w's (in hindsight), log-log,
 *  as an SVG, with the 1× and 1.3× lines. */
export function plotAutoVsBest(points: readonly AutoPoint[]): string {
  const size = 360;
  const pad = 40;
  const all = points.flatMap((p) => [p.best, p.auto]).filter((v) => v > 0);
  const lo = Math.log10(Math.min(...all)) - 0.1;
  const hi = Math.log10(Math.max(...all)) + 0.1;
  const s = (v: number): number => pad + ((Math.log10(v) - lo) / (hi - lo)) * (size - 2 * pad);
  const dots = points.map((p) => `<circle cx="${s(p.best).toFixed(1)}" cy="${(size - s(p.auto)).toFixed(1)}" r="3" fill="${p.smooth ? '#0072b2' : '#d55e00'}"><title>${p.label}</title></circle>`);
  const line = (k: number, dash: string): string => `<line x1="${s(10 ** lo)}" y1="${size - s(k * 10 ** lo)}" x2="${s(10 ** hi / k)}" y2="${size - s(10 ** hi)}" stroke="#999" ${dash}/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${line(1, '')}${line(1.3, 'stroke-dasharray="4 3"')}
${dots.join('\n')}
<text x="${size / 2}" y="${size - 8}" text-anchor="middle">best fixed w's test error (hindsight)</text>
<text x="12" y="${size / 2}" transform="rotate(-90 12 ${size / 2})" text-anchor="middle">auto's test error</text>
<text x="${pad}" y="16">blue: smooth, orange: oscillatory; dashed: 1.3×</text>
</svg>
`;
}
