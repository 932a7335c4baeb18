// The contract between the demo shell (demo/main.ts) and each experiment section.
// A section runs one experiment of the paper with a preset, reports progress, and returns
// tables for the headless report and plain JSON; `render` draws that JSON (the figures,
// tables and comparison of the page), for a run that just finished and for a saved
// results.json alike.

import type { NnPreset } from '../../src/experiments/sweep/presets';

/** tiny, quick, full or paper (src/experiments/sweep/presets.ts PRESET_NAMES). */
export type Preset = NnPreset;

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
  /** Plain JSON data for reports/results.json (schema in docs/reproduction.md). */
  json: unknown;
}

export interface Section {
  id: string;
  title: string;
  /** Whether the section needs WebGPU (false: it runs on the CPU when the page has none). */
  needsGpu?: boolean;
  /** Progress tasks a run of `preset` reports (for the page's ETA before all have started). */
  tasks?(preset: Preset, gpu: boolean): number;
  run(preset: Preset, ui: SectionUi, signal: AbortSignal): Promise<SectionResult>;
  /** Draws a result's JSON (SectionResult.json, or results.json's `data`) into `host`. */
  render?(data: unknown, host: HTMLElement): void;
}
