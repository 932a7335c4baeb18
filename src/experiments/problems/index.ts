/** Seeded problem generators with exact analytic input-derivatives (docs/experiments.md §A–C). */
export { Rng } from '../../util/rng';
export type { MutableArrayLike } from '../../util/rng';
export { takeRows, drawSubset, drawStagedSubset, rolloutStages } from './dataset';
export type { ProblemData, StagedProblem, StagePredict } from './dataset';
export { toy2d, toy2dValue, toy2dGrad, rolloutToy2d, TOY2D_THETA_MAX } from './toy2d';
export type { Toy2dOptions } from './toy2d';
export { garch4d, garch4dPath, garch4dFirstStep, garch4dNextStep, rolloutGarch4d } from './garch4d';
export type { Garch4dOptions, GarchDerivative, GarchPath } from './garch4d';
export { regression8d, regression8dValue, regression8dGrad } from './regression8d';
export type { Regression8dOptions } from './regression8d';
export { sineData, sineGrid, SINE_X_MAX } from './sine';
export type { SineOptions } from './sine';
export {
  renderBlobs, renderBlobs64, renderJvp, renderJvp64, renderJacobian, blobsDataset,
  blobsProjectedTargets, BLOB_FACTORS, BLOB_THETA_DIM,
} from './blobs';
export type { BlobOptions, BlobsOptions, BlobsData } from './blobs';
