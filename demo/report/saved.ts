// A saved reports/results.json (written by `npm start`) drawn as a static report: a banner
// with what produced it, then every section through the same render() a live run uses.
import type { Section } from '../sections/types';

/** reports/results.json (docs/reproduction.md). */
export interface SavedReport {
  generatedAt?: string;
  preset?: string;
  adapter?: string | null;
  browser?: string;
  sections?: string[];
  timings?: { totalSeconds?: number; sectionSeconds?: Record<string, number> };
  ok?: boolean;
  errors?: string[];
  results: { id: string; title: string; data: unknown }[];
}

/** Draws `report`; returns the ids of the sections drawn. `root(id, title)` makes a section's box. */
export function renderReport(report: SavedReport, sections: Section[], banner: HTMLElement, root: (id: string, title: string) => HTMLElement): string[] {
  if (!report || !Array.isArray(report.results)) throw new TypeError('not a results.json: it has no results array');
  const box = document.createElement('div');
  box.className = 'notice info';
  const h = document.createElement('h2');
  h.textContent = 'Saved report (static: nothing is re-run)';
  const p = document.createElement('p');
  const t = report.timings?.totalSeconds;
  p.textContent =
    `Preset ${report.preset ?? '?'}; generated ${report.generatedAt ?? '?'}; adapter ${report.adapter ?? 'unknown'}; browser ${report.browser ?? 'unknown'}` +
    (t !== undefined ? `; ${Math.round(t)} s in all` : '') + (report.ok === false ? `; the run reported errors: ${(report.errors ?? []).join('; ') || 'unknown'}` : '') + '.';
  box.append(h, p);
  banner.replaceChildren(box);
  const drawn: string[] = [];
  for (const r of report.results) {
    const section = sections.find((s) => s.id === r.id);
    const el = root(r.id, r.title);
    const body = document.createElement('div');
    el.append(body);
    if (!section?.render) {
      body.textContent = `This page cannot draw section '${r.id}'.`;
      continue;
    }
    section.render(r.data, body);
    drawn.push(r.id);
  }
  return drawn;
}
