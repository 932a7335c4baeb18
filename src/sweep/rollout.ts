/** The recursive rollout of a staged model at test time (one network per stage, stage s > 0
 *  taking stage s − 1's output as its last input). The sweep's jobs and the paper's problems
 *  (rolloutToy2d, rolloutGarch4d) both use this one. */

/** Async model call of a rollout: `stage` is 0-based, `x` is n×inputs of that stage; the
 *  result is n×outputs (n×1 for every stage whose output feeds the next). */
export type StagePredict = (stage: number, x: Float32Array) => Promise<Float32Array>;

/** One stage's test inputs: n×inputs, row-major, the last column holding the TRUE previous
 *  stage's value (replaced by the prediction when rolling out). */
export interface RolloutStage {
  x: Float32Array;
  inputs: number;
}

/** Predicts every stage. With `rollout` (default true), stage 0 gets its own x and every later
 *  stage gets its x with the LAST column replaced by the previous stage's prediction, which must
 *  then be n×1; without it, every stage gets its own x. Returns each stage's prediction. */
export async function rolloutStages(stages: readonly RolloutStage[], predict: StagePredict, rollout = true): Promise<Float32Array[]> {
  const preds: Float32Array[] = [];
  for (let s = 0; s < stages.length; s++) {
    const { x, inputs } = stages[s];
    const n = x.length / inputs;
    let input = x;
    if (rollout && s > 0) {
      const prev = preds[s - 1];
      if (prev.length !== n) throw new Error(`rollout: stage ${s - 1} prediction has ${prev.length} values, expected ${n}`);
      input = x.slice();
      for (let i = 0; i < n; i++) input[i * inputs + inputs - 1] = prev[i];
    }
    preds.push(await predict(s, input));
  }
  return preds;
}
