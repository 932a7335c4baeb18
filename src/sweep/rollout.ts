/** The recursive rollout of a staged model at test time (one network per stage, stage s > 0
 *  taking stage s − 1's output as its last input). The sweep's jobs (a group of networks per
 *  stage: rolloutGroup) and the paper's problems (rolloutToy2d, rolloutGarch4d: one network
 *  per stage, rolloutStages) both use this one. */

/** Async model call of a rollout: `stage` is 0-based, `x` is n×inputs of that stage; the
 *  result is n×outputs (n×1 for every stage whose output feeds the next). */
export type StagePredict = (stage: number, x: Float32Array) => Promise<Float32Array>;

/** A group's model call: `xs[i]` is network i's n×inputs input of that stage; returns each
 *  network's n×outputs prediction. */
export type GroupStagePredict = (stage: number, xs: Float32Array[]) => Promise<Float32Array[]>;

/** One stage's test inputs: n×inputs, row-major, the last column holding the TRUE previous
 *  stage's value (replaced by the prediction when rolling out). */
export interface RolloutStage {
  x: Float32Array;
  inputs: number;
}

/** Stage s's input of one network: its own x, or (rollout, s > 0) x with the last column
 *  replaced by the network's previous prediction (n×1). */
function stageInput(stage: RolloutStage, s: number, prev: Float32Array | undefined, rollout: boolean): Float32Array {
  const { x, inputs } = stage;
  if (!rollout || s === 0) return x;
  const n = x.length / inputs;
  if (prev!.length !== n) throw new Error(`rollout: stage ${s - 1} prediction has ${prev!.length} values, expected ${n}`);
  const input = x.slice();
  for (let i = 0; i < n; i++) input[i * inputs + inputs - 1] = prev![i];
  return input;
}

/** The rollout of B networks per stage: `stages[i]` is network i's test stages (all networks
 *  have the same number). Stage 0 of network i gets its own x; with `rollout` (default true)
 *  every later stage gets its x with the LAST column replaced by that network's previous
 *  prediction, which must then be n×1; without it, every stage gets its own x. `predict` is
 *  called once per stage, in stage order, for all networks. Returns preds[i][s]. */
export async function rolloutGroup(stages: readonly (readonly RolloutStage[])[], predict: GroupStagePredict, rollout = true): Promise<Float32Array[][]> {
  const count = stages[0]?.length ?? 0;
  if (stages.some((st) => st.length !== count)) throw new RangeError('rolloutGroup: every network needs the same number of stages');
  const preds: Float32Array[][] = stages.map(() => []);
  for (let s = 0; s < count; s++) {
    const xs = stages.map((st, i) => stageInput(st[s], s, preds[i][s - 1], rollout));
    const ys = await predict(s, xs);
    if (ys.length !== stages.length) throw new Error(`rollout: stage ${s} returned ${ys.length} predictions for ${stages.length} networks`);
    ys.forEach((y, i) => preds[i].push(y));
  }
  return preds;
}

/** Predicts every stage of one network (rolloutGroup with one network). With `rollout`
 *  (default true), stage 0 gets its own x and every later stage gets its x with the LAST
 *  column replaced by the previous stage's prediction, which must then be n×1; without it,
 *  every stage gets its own x. Returns each stage's prediction. */
export async function rolloutStages(stages: readonly RolloutStage[], predict: StagePredict, rollout = true): Promise<Float32Array[]> {
  const [preds] = await rolloutGroup([stages], async (s, [x]) => [await predict(s, x)], rollout);
  return preds;
}
