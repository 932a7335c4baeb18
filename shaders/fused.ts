import { activationsWgsl } from './activations';
import { GatherProblem, gatherRowWgsl, type DirectionMode } from './grouped';
import { bind, type Program, type Workgroups } from './program';
import { rngWgsl } from './rng';
import { StepInfo } from './step';
import { defineStruct } from './struct';
import { defineTable } from './table';

/** Deepest network the fused step takes (layers, not counting the input). */
export const FUSED_MAX_DEPTH = 8;
/** Steps one fused dispatch holds: its step records are one uniform array. */
export const FUSED_MAX_STEPS = 256;
/** Most tangent blocks the fused step takes (each thread keeps one sum per block). */
export const FUSED_MAX_TANGENTS = 8;
/** Storage bindings of the fused program (a device must allow this many per stage). */
export const FUSED_STORAGE_BINDINGS = 9;

const levels = Array.from({ length: FUSED_MAX_DEPTH + 1 }, (_, l) => l);
const sizeFields = levels.map((l) => `s${l}`);
const actFields = levels.slice(1).map((l) => `a${l}`);

/**
 * One model of a fused step: its gather record (the grouped gather's fields, with offX0,
 * offYb and offTb inside `work`), then its layer sizes s0…s8 and activation ids a1…a8, where
 * its parameters and second moments start, its own region of `work` (activations,
 * pre-activations, their gradients; the loss weights at offW), and its loss and Adam scalars
 * (f32 bit patterns).
 */
export const FusedProblem = defineTable('FusedProblem', [
  ...GatherProblem.fields,
  'depth', 'paramOffset', 'offMoment2', 'work', 'offW', 'offLoss',
  'lr', 'beta1', 'beta2', 'decay', 'valueScale', 'tangentScale', 'valueWeight', 'tangentWeight',
  ...sizeFields, ...actFields,
] as unknown as readonly string[]);

export const FusedDims = defineStruct('FusedDims', { models: 'u32' });

/** The chunk: how many steps, and each step's record (StepInfo padded to 32 bytes). */
export const FUSED_CHUNK_BYTES = 16 + FUSED_MAX_STEPS * 32;

/** Floats of a model's region of `work`: A_0…A_L, Z_1…Z_L, Z̄_1…Z̄_L (rows × width each),
 *  Ā (rows × widest), then the minibatch targets (n·m values, k·n·m tangents). */
export function fusedWorkFloats(sizes: readonly number[], n: number, k: number): number {
  const rows = (1 + k) * n;
  const sum = sizes.reduce((a, b) => a + b, 0);
  const m = sizes[sizes.length - 1];
  return rows * (sum + 2 * (sum - sizes[0]) + Math.max(...sizes)) + (1 + k) * n * m;
}

export interface FusedVariant {
  mode: DirectionMode;
  /** Threads of the one workgroup that trains a model. */
  threads: number;
}

const switchOf = (name: string, fields: string[], first: number) => /* wgsl */ `
fn ${name}(p: FusedProblem, l: u32) -> u32 {
  switch l {
${fields.map((f, i) => `    case ${first + i}u: { return p.${f}; }`).join('\n')}
    default: { return 0u; }
  }
}`;

/**
 * The fused training step: workgroup b trains model b through every step of a chunk —
 * the minibatch gather (gatherRow, as the grouped gather), the primal and tangent forward
 * ([A; Ȧ] with Z and Ż kept), the value-and-derivative loss and its seeds, the backward pass
 * with the σ''·ż·ȧ coupling, and Adam — with a storage barrier between phases. Each thread of
 * a layer's pass owns one (sample, unit) across all tangent blocks (so σ'(z) is computed once),
 * one input-gradient element or one parameter (its gradient summed over the rows, then its Adam
 * update: no gradient buffer). Layer l's parameters are updated only after Ā_{l−1} (which reads
 * W_l) is complete. Every model reads only its own region of `work`: a model's result does
 * not depend on the others in the dispatch.
 */
export const fusedStepProgram: Program<FusedVariant> = {
  name: 'fused-step',
  key: (v) => `${v.mode}|${v.threads}`,
  dims: FusedDims,
  bindings: () => [
    bind('xAll', 'read', 'array<f32>', 'Dataset inputs (total × d each), at offX'),
    bind('yAll', 'read', 'array<f32>', 'Dataset values, at offY'),
    bind('dAll', 'read', 'array<f32>', 'Dataset derivatives, at offD'),
    bind('indices', 'read', 'array<u32>', 'Per-model, per-epoch permutations at offPerm; at offGrad, which input each derivative column belongs to'),
    bind('params', 'rw', 'array<f32>', 'Every parameter of every model'),
    bind('moments', 'rw', 'array<f32>', 'Adam moments: first at the parameter index, second offMoment2 later'),
    bind('work', 'rw', 'array<f32>', "Each model's activations, gradients, minibatch targets and loss weights"),
    bind('loss', 'rw', 'array<f32>', 'Per-model, per-epoch loss sums (as the grouped loss)'),
    bind('problems', 'read', `array<${FusedProblem.name}>`, 'One record per model'),
    bind('chunk', 'uniform', 'FusedChunk', "The chunk's step count and step records"),
    bind('dims', 'uniform', FusedDims, 'Models in the dispatch'),
  ],
  workgroups: (_, dims): Workgroups => {
    const x = Math.min(Math.max(1, dims.models), 65535);
    return [x, Math.ceil(dims.models / x)];
  },
  body: (v) => /* wgsl */ `
${StepInfo.wgsl}
struct FusedStep { @size(32) info: StepInfo }
struct FusedChunk { count: u32, @align(16) steps: array<FusedStep, ${FUSED_MAX_STEPS}> }
${GatherProblem.wgsl}
${FusedProblem.wgsl}
${rngWgsl}
${activationsWgsl}
${gatherRowWgsl(v.mode, 'work', 'work')}
${switchOf('sizeOf', sizeFields, 0)}
${switchOf('actOf', actFields, 1)}

const T: u32 = ${v.threads}u;
var<workgroup> partial: array<vec4f, ${v.threads}>;

fn gatherOf(p: FusedProblem) -> GatherProblem {
  return GatherProblem(${GatherProblem.fields.map((f) => `p.${f}`).join(', ')});
}

fn sync() {
  storageBarrier();
  workgroupBarrier();
}

// Adam on layer l's [W; b] (at w): each thread one parameter, its gradient summed over the rows
// ([A; Ȧ | 1; 0]ᵀ · [Z̄; Ż̄]), weight decay on W only; lr 0: a model that stopped.
fn adam(p: FusedProblem, st: StepInfo, lid: u32, rows: u32, fi: u32, fo: u32, a: u32, zb: u32, w: u32) {
  if (p.lr == 0u) { return; }
  let lr = bitcast<f32>(p.lr);
  let beta1 = bitcast<f32>(p.beta1);
  let beta2 = bitcast<f32>(p.beta2);
  let decay = bitcast<f32>(p.decay);
  for (var e = lid; e < (fi + 1u) * fo; e += T) {
    let i = e / fo;
    let j = e % fo;
    var g = 0.0;
    if (i < fi) {
      for (var r = 0u; r < rows; r++) { g += work[a + r * fi + i] * work[zb + r * fo + j]; }
      g += decay * params[w + e];
    } else {
      for (var r = 0u; r < p.n; r++) { g += work[zb + r * fo + j]; }
    }
    let q = w + e;
    let m = beta1 * moments[q] + (1.0 - beta1) * g;
    let s = beta2 * moments[q + p.offMoment2] + (1.0 - beta2) * g * g;
    moments[q] = m;
    moments[q + p.offMoment2] = s;
    params[q] -= lr * st.lrT * m / (sqrt(s) + st.epsT);
  }
}

@compute @workgroup_size(${v.threads})
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let model = wgId.x + wgId.y * groups.x;
  if (model >= dims.models) { return; }
  let p = problems[model];
  let gp = gatherOf(p);
  let n = p.n;
  let k = p.k;
  let L = p.depth;
  let rows = (1u + k) * n;
  // Level offsets in work (A_l, Z_l, Z̄_l) and in params ([W_l; b_l]).
  var offA: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offZ: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offB: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offP: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var at = p.work;
  var widest = 0u;
  for (var l = 0u; l <= L; l++) { offA[l] = at; at += rows * sizeOf(p, l); widest = max(widest, sizeOf(p, l)); }
  for (var l = 1u; l <= L; l++) { offZ[l] = at; at += rows * sizeOf(p, l); }
  for (var l = 1u; l <= L; l++) { offB[l] = at; at += rows * sizeOf(p, l); }
  let offAbar = at;
  var pAt = p.paramOffset;
  for (var l = 1u; l <= L; l++) { offP[l] = pAt; pAt += (sizeOf(p, l - 1u) + 1u) * sizeOf(p, l); }
  let m = p.m;
  let out = offA[L];
  let valueCount = n * m;

  for (var s = 0u; s < chunk.count; s++) {
    let st = chunk.steps[s].info;
    for (var t = lid; t < rows; t += T) { gatherRow(gp, t, st); }
    sync();
    // Forward: Z = A·W + b, A = σ(Z) on the primal rows; Ż = Ȧ·W, Ȧ = σ'(Z)·Ż on each tangent block.
    for (var l = 1u; l <= L; l++) {
      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let act = actOf(p, l);
      let a = offA[l - 1u];
      let w = offP[l];
      for (var e = lid; e < n * fo; e += T) {
        let r = e / fo;
        let j = e % fo;
        // One load of W[i, j] for the primal row and every tangent block of sample r.
        var acc: array<f32, ${FUSED_MAX_TANGENTS + 1}>;
        acc[0] = params[w + fi * fo + j];
        for (var q = 1u; q <= k; q++) { acc[q] = 0.0; }
        for (var i = 0u; i < fi; i++) {
          let wij = params[w + i * fo + j];
          for (var q = 0u; q <= k; q++) { acc[q] += work[a + (q * n + r) * fi + i] * wij; }
        }
        let z = acc[0];
        work[offZ[l] + e] = z;
        work[offA[l] + e] = act_f_id(act, z);
        let d1 = act_d1_id(act, z);
        for (var q = 1u; q <= k; q++) {
          let t = (q * n + r) * fo + j;
          work[offZ[l] + t] = acc[q];
          work[offA[l] + t] = d1 * acc[q];
        }
      }
      sync();
    }
    // The loss sums (as the grouped loss): weighted for the report, plain for the objective.
    var sv = 0.0;
    var ov = 0.0;
    var stn = 0.0;
    var ot = 0.0;
    for (var i = lid; i < valueCount; i += T) {
      let r = work[out + i] - work[p.offYb + i];
      sv += work[p.offW + i % m] * r * r;
      ov += r * r;
    }
    for (var i = lid; i < valueCount * k; i += T) {
      let r = work[out + valueCount + i] - work[p.offTb + i];
      stn += work[p.offW + m + (i / valueCount) * m + i % m] * r * r;
      ot += r * r;
    }
    partial[lid] = vec4f(sv, stn, ov, ot);
    // Backward, from the output level down; Adam on layer l + 1 while level l's Z̄ forms.
    var l = L;
    loop {
      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let act = actOf(p, l);
      let z = offZ[l];
      let zb = offB[l];
      let block = n * fo;
      let seed = l == L;
      for (var e = lid; e < block; e += T) {
        let zv = work[z + e];
        let d1 = act_d1_id(act, zv);
        let d2 = act_d2_id(act, zv);
        var sum = 0.0;
        if (seed) {
          sum = d1 * bitcast<f32>(p.valueScale) * (work[out + e] - work[p.offYb + e]);
        } else {
          sum = d1 * work[offAbar + e];
        }
        for (var q = 1u; q <= k; q++) {
          let t = q * block + e;
          var adot = 0.0;
          if (seed) {
            adot = bitcast<f32>(p.tangentScale) * (work[out + t] - work[p.offTb + t - block]);
          } else {
            adot = work[offAbar + t];
          }
          sum += d2 * work[z + t] * adot;
          work[zb + t] = d1 * adot;
        }
        work[zb + e] = sum;
      }
      if (!seed) { adam(p, st, lid, rows, fo, sizeOf(p, l + 1u), offA[l], offB[l + 1u], offP[l + 1u]); }
      sync();
      if (seed && lid == 0u) {
        var total = vec4f(0.0);
        for (var i = 0u; i < T; i++) { total += partial[i]; }
        let valueMse = total.x / f32(valueCount);
        let tangentMse = total.y / f32(max(valueCount * k, 1u));
        let vw = bitcast<f32>(p.valueWeight);
        let tw = bitcast<f32>(p.tangentWeight);
        let base = p.offLoss + 4u * st.lossSlot;
        loss[base] += st.lossScale * (vw * total.x + tw * total.y);
        loss[base + 1u] += st.lossScale * valueMse;
        loss[base + 2u] += st.lossScale * tangentMse;
        loss[base + 3u] += st.lossScale * (vw * total.z + tw * total.w);
      }
      if (l == 1u) { break; }
      // Ā_{l−1} = [Z̄; Ż̄]_l · W_lᵀ over every row.
      for (var e = lid; e < n * fi; e += T) {
        let r = e / fi;
        let i = e % fi;
        var acc: array<f32, ${FUSED_MAX_TANGENTS + 1}>;
        for (var q = 0u; q <= k; q++) { acc[q] = 0.0; }
        for (var j = 0u; j < fo; j++) {
          let wij = params[offP[l] + i * fo + j];
          for (var q = 0u; q <= k; q++) { acc[q] += work[zb + (q * n + r) * fo + j] * wij; }
        }
        for (var q = 0u; q <= k; q++) { work[offAbar + (q * n + r) * fi + i] = acc[q]; }
      }
      sync();
      l -= 1u;
    }
    adam(p, st, lid, rows, sizeOf(p, 0u), sizeOf(p, 1u), offA[0], offB[1], offP[1]);
    sync();
  }
}
`,
};
