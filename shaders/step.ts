import { defineStruct } from './struct';

/** Per-step scalars of the training loop, one 256-byte-aligned record per step in a uniform
 *  buffer bound with a dynamic offset: the loop never rewrites a uniform between steps. */
export const StepInfo = defineStruct('StepInfo', {
  permBase: 'u32', // start of this epoch's permutation in the perm buffer
  batchOffset: 'u32', // first position of this minibatch within the epoch's permutation
  rngStep: 'u32', // counter for the random directions of this step
  lossSlot: 'u32', // where this step's loss is accumulated (the epoch)
  lossScale: 'f32', // 1 / batches per epoch
  lrT: 'f32', // Adam: lr_e · sqrt(1 − β2^t) / (1 − β1^t)
  epsT: 'f32', // Adam: ε · sqrt(1 − β2^t)
});
