/** Linear-in-parameters models with gradient information (docs/experiments.md §B). */
export * from './features';
export * from './solve';
export * from './normal-equations';
export * from './fit';
export * from './select';
export * from './gpu-sums';
