import { activationsWgsl } from './activations';
import { gatherDataBindings, GatherProblem, gatherRowWgsl, type DirectionMode } from './grouped';
import { bind, type Program, type Workgroups } from './program';
import { rngWgsl } from './rng';
import { StepInfo } from './step';
import { defineStruct } from './struct';
import { defineTable } from './table';

/** Deepest network the fused step takes (layers, not counting the input). */
export const FUSED_MAX_DEPTH = 8;
/** Steps one fused dispatch holds: its step records are one uniform array. */
export const FUSED_MAX_STEPS = 1024;
/** Most tangent blocks the fused step takes (each thread keeps U sums per block in registers). */
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
  /** Tangent blocks of every model of the dispatch: the per-row sums are that many scalars. */
  k: number;
  /** Activation ids the dispatch's models use (ascending): the only ones compiled in. */
  activations: number[];
}

/** One WGSL line per block q = 0…k (0: the primal rows), unrolled so the sums stay in registers. */
const perBlock = (k: number, line: (q: number) => string) => Array.from({ length: k + 1 }, (_, q) => line(q)).join('\n');
/** Units (or inputs) per thread in the fused step's products: each load of W serves U·(k+1) sums. */
const U = 4;
/** One WGSL line per unit u = 0…U−1 of a thread's tile. */
const units = (line: (u: number) => string) => Array.from({ length: U }, (_, u) => line(u)).join('\n');
/** Samples per thread in the products: S·(k + 1)·U sums stay in registers and each load of W
 *  serves S·(k + 1) of them. About 6 rows (24 sums) measured fastest on SwiftShader: with one
 *  sample a k = 0 tile loads W once per multiply-add and ran at half the rate of a k = 2 one. */
export const samplesPerTile = (k: number) => Math.max(1, Math.floor(6 / (k + 1)));
/** One WGSL line per sample s = 0…S−1 of a thread's tile. */
const tileSamples = (k: number, line: (s: number) => string) => Array.from({ length: samplesPerTile(k) }, (_, s) => line(s)).join('\n');

/** `name(id, x)`: `table(id, x)` for the given ids only, each with a constant id (its switch folds). */
const activationSubset = (name: string, table: string, ids: number[]) => /* wgsl */ `
fn ${name}(id: u32, x: f32) -> f32 {
${ids.slice(0, -1).map((id) => `  if (id == ${id}u) { return ${table}(${id}u, x); }`).join('\n')}
  return ${table}(${ids[ids.length - 1]}u, x);
}`;

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
 * with the σ''·ż·ȧ coupling, and Adam — with a storage barrier between phases. In the products
 * each thread owns a register tile: S samples × U units (forward; every tangent block, so σ'(z)
 * is computed once) or × U inputs (Ā), S = samplesPerTile(k), or U × U parameters (their
 * gradients summed over the rows, then their Adam updates: no gradient buffer); every
 * element's sum keeps the order of one thread per element. Layer l's parameters are updated
 * only after Ā_{l−1} (which reads W_l) is complete. Every model reads only its own region of
 * `work`: a model's result does not depend on the others in the dispatch.
 */
export const fusedStepProgram: Program<FusedVariant> = {
  name: 'fused-step',
  key: (v) => `${v.mode}|${v.threads}|${v.k}|${v.activations.join(',')}`,
  dims: FusedDims,
  bindings: () => [
    ...gatherDataBindings,
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
  body: (v) => {
    const S = samplesPerTile(v.k);
    return /* wgsl */ `
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

${['f', 'd1', 'd2'].map((f) => activationSubset(`fused${f.toUpperCase()}`, `act_${f}_id`, v.activations)).join('\n')}

fn gatherOf(p: FusedProblem) -> GatherProblem {
  return GatherProblem(${GatherProblem.fields.map((f) => `p.${f}`).join(', ')});
}

fn sync() {
  storageBarrier();
  workgroupBarrier();
}

// One parameter's Adam update with its gradient g, plus decay × the parameter (weights only).
fn adamAt(p: FusedProblem, st: StepInfo, q: u32, g: f32, decay: f32, weight: bool) {
  let beta1 = bitcast<f32>(p.beta1);
  let beta2 = bitcast<f32>(p.beta2);
  let value = params[q];
  let gd = select(g, g + decay * value, weight);
  let m = beta1 * moments[q] + (1.0 - beta1) * gd;
  let s = beta2 * moments[q + p.offMoment2] + (1.0 - beta2) * gd * gd;
  moments[q] = m;
  moments[q + p.offMoment2] = s;
  params[q] = value - bitcast<f32>(p.lr) * st.lrT * m / (sqrt(s) + st.epsT);
}

// Adam on layer l's [W; b] (at w), each gradient summed over the rows ([A; Ȧ | 1; 0]ᵀ·[Z̄; Ż̄]):
// a thread takes a U×U tile of W (clamped loads, guarded updates) or U biases; weight decay on
// W only; lr 0: a model that stopped.
fn adam(p: FusedProblem, st: StepInfo, lid: u32, rows: u32, fi: u32, fo: u32, a: u32, zb: u32, w: u32) {
  if (p.lr == 0u) { return; }
  let decay = bitcast<f32>(p.decay);
  let tj = (fo + ${U - 1}u) / ${U}u;
  let ti = (fi + ${U - 1}u) / ${U}u;
  var g: array<f32, ${U * U}>;
  for (var e = lid; e < (ti + 1u) * tj; e += T) {
    let i0 = (e / tj) * ${U}u;
    let j0 = (e % tj) * ${U}u;
${units((u) => `    let cj${u} = min(j0 + ${u}u, fo - 1u);`)}
    // Zeroed here, for every tile: a declaration inside the loop was not re-zeroed on SwiftShader.
    g = array<f32, ${U * U}>();
    if (i0 < fi) {
${units((v) => `      let ci${v} = min(i0 + ${v}u, fi - 1u);`)}
      var ap = a;
      var zp = zb;
      for (var r = 0u; r < rows; r++) {
${units((v) => `        let a${v} = work[ap + ci${v}];`)}
${units((u) => `        let z${u} = work[zp + cj${u}];`)}
${units((v) => units((u) => `        g[${v * U + u}] += a${v} * z${u};`))}
        ap += fi;
        zp += fo;
      }
    } else {
      var zp = zb;
      for (var r = 0u; r < p.n; r++) {
${units((u) => `        g[${u}] += work[zp + cj${u}];`)}
        zp += fo;
      }
    }
    // The tile's parameters: rows i0… of W, or the bias row (at W's end).
    let weights = i0 < fi;
    let first = select(w + fi * fo, w + i0 * fo, weights);
    let rowsHere = select(1u, min(fi - i0, ${U}u), weights);
    for (var t = 0u; t < ${U * U}u; t++) {
      let v = t / ${U}u;
      let u = t % ${U}u;
      if (v < rowsHere && j0 + u < fo) {
        let q = first + v * fo + j0 + u;
        adamAt(p, st, q, g[t], decay, weights);
      }
    }
  }
}

@compute @workgroup_size(${v.threads})
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let model = wgId.x + wgId.y * groups.x;
  if (model >= dims.models) { return; }
  let p = problems[model];
  let gp = gatherOf(p);
  let n = p.n;
  let k = ${v.k}u;
  let L = p.depth;
  let rows = (1u + k) * n;
  // Level offsets in work (A_l, Z_l, Z̄_l) and in params ([W_l; b_l]).
  var offA: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offZ: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offB: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offP: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var at = p.work;
  for (var l = 0u; l <= L; l++) { offA[l] = at; at += rows * sizeOf(p, l); }
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
      // Each thread: samples r0…r0+S−1 (S = ${S}), units j0…j0+3 (clamped loads, guarded stores), every block.
      let tiles = (fo + ${U - 1}u) / ${U}u;
      for (var e = lid; e < ((n + ${S - 1}u) / ${S}u) * tiles; e += T) {
        let r0 = (e / tiles) * ${S}u;
        let j0 = (e % tiles) * ${U}u;
${units((u) => `        let c${u} = min(j0 + ${u}u, fo - 1u);\n        let b${u} = params[w + fi * fo + c${u}];`)}
${tileSamples(v.k, (t) => perBlock(v.k, (q) => `        let x${t}_${q} = a + (${q}u * n + min(r0 + ${t}u, n - 1u)) * fi;\n${units((u) => `        var acc${t}_${q}_${u} = ${q === 0 ? `b${u}` : '0.0'};`)}`))}
        var wp = w;
        for (var i = 0u; i < fi; i++) {
${units((u) => `          let w${u} = params[wp + c${u}];`)}
${tileSamples(v.k, (t) => perBlock(v.k, (q) => `          let x${t}_${q}i = work[x${t}_${q} + i];\n${units((u) => `          acc${t}_${q}_${u} += x${t}_${q}i * w${u};`)}`))}
          wp += fo;
        }
${tileSamples(v.k, (t) => `        if (r0 + ${t}u < n) {
${units((u) => `          if (j0 + ${u}u < fo) {
            let e${u} = (r0 + ${t}u) * fo + j0 + ${u}u;
            work[offZ[l] + e${u}] = acc${t}_0_${u};
            work[offA[l] + e${u}] = fusedF(act, acc${t}_0_${u});
            let d1 = fusedD1(act, acc${t}_0_${u});
${perBlock(v.k, (q) => q === 0 ? '' : `            work[offZ[l] + ${q}u * n * fo + e${u}] = acc${t}_${q}_${u};\n            work[offA[l] + ${q}u * n * fo + e${u}] = d1 * acc${t}_${q}_${u};`)}
          }`)}
        }`)}
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
        let d1 = fusedD1(act, zv);
        let d2 = fusedD2(act, zv);
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
      let tiles = (fi + ${U - 1}u) / ${U}u;
      for (var e = lid; e < ((n + ${S - 1}u) / ${S}u) * tiles; e += T) {
        let r0 = (e / tiles) * ${S}u;
        let i0 = (e % tiles) * ${U}u;
${units((u) => `        let wrow${u} = offP[l] + min(i0 + ${u}u, fi - 1u) * fo;`)}
${tileSamples(v.k, (t) => perBlock(v.k, (q) => `        let y${t}_${q} = zb + (${q}u * n + min(r0 + ${t}u, n - 1u)) * fo;\n${units((u) => `        var acc${t}_${q}_${u} = 0.0;`)}`))}
        for (var j = 0u; j < fo; j++) {
${units((u) => `          let w${u} = params[wrow${u} + j];`)}
${tileSamples(v.k, (t) => perBlock(v.k, (q) => `          let y${t}_${q}j = work[y${t}_${q} + j];\n${units((u) => `          acc${t}_${q}_${u} += y${t}_${q}j * w${u};`)}`))}
        }
${tileSamples(v.k, (t) => `        if (r0 + ${t}u < n) {
${units((u) => `          if (i0 + ${u}u < fi) {\n${perBlock(v.k, (q) => `            work[offAbar + (${q}u * n + r0 + ${t}u) * fi + i0 + ${u}u] = acc${t}_${q}_${u};`)}\n          }`)}
        }`)}
      }
      sync();
      l -= 1u;
    }
    adam(p, st, lid, rows, sizeOf(p, 0u), sizeOf(p, 1u), offA[0], offB[1], offP[1]);
    sync();
  }
}
`;
  },
};
