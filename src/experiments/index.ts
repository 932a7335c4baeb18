/** `sobolev-webgpu/experiments`: the paper harness on top of the engine (`sobolev-webgpu`).
 *  Seeded problems with exact derivatives, the NN width sweeps with the GI complexity bound,
 *  the linear §B protocol, the generative-image experiment, and their presets. The engine
 *  entry imports nothing from here. */

/** Seeded problems with exact derivatives (toy2d, garch4d, regression8d, sine, blob images). */
export * as problems from './problems/index';
/** The generative image model trained with projected JVP losses (renderer JVPs as targets). */
export * as generative from './generative/index';
/** The NN width sweeps (docs/experiments.md §A): runSweep, sweepJobs, summarize, SweepData, presets. */
export * from './sweep/index';
/** The linear-model protocol on the sine problem (docs/experiments.md §B). */
export * as linear from './linear';
export { runLinearExperiment, pairedGain, LINEAR_METHODS, LINEAR_PRESETS, LINEAR_SECTION_SETTINGS } from './linear';
export type { LinearExperimentConfig, LinearExperimentOptions, LinearExperimentResult, LinearMethod, LinearRun, LinearSummary } from './linear';
/** Our results beside the paper's (docs/experiments.md §E): the published numbers, comparison rows,
 *  computed claim verdicts and the protocol caveat. */
export * as paper from './paper';
export { PUBLISHED, compareWithPaper, paperMarkdown, nnComparison, toy2dEtaComparison, linearComparison, giHelpsVerdicts, boundVerdicts, linearVerdicts, generativeVerdicts, outcomeLine, protocolCaveat, protocolDifferences, pairedGainOf, describeBound } from './paper';
export type { ClaimVerdict, EtaComparisonRow, LinearComparisonRow, LinearSectionData, NnComparisonRow, NnSectionData, PaperComparison, PairedGain, PublishedNnRow, PublishedLinearRow } from './paper';
/** Section JSON and markdown for runners without the demo page (the Node runner). */
export { nnSectionJson, nnSectionMarkdown, linearSectionJson, linearSectionMarkdown, generativeSectionMarkdown } from './report';
