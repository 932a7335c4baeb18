export * from '../util/rng';
