// The contract between the demo shell (demo/main.ts) and each experiment section.
// A section runs one experiment of the paper with a preset, reports progress, draws its
// plots into its element, and returns tables for the headless report.

export type Preset = 'quick' | 'paper';

export interface SectionUi {
  /** The section's own container in the page (charts, image grids, tables go here). */
  element: HTMLElement;
  /** Progress of a named task (a progress bar in the page, a line in the terminal). */
  progress(task: string, done: number, total: number): void;
  log(message: string): void;
}

export interface SectionResult {
  id: string;
  title: string;
  /** Markdown tables for reports/results.md. */
  markdown: string;
  /** Plain JSON data for reports/results.json (schema documented in the README). */
  json: unknown;
}

export interface Section {
  id: string;
  title: string;
  run(preset: Preset, ui: SectionUi, signal: AbortSignal): Promise<SectionResult>;
}
