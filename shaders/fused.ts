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
/** Most stacked blocks the fused step takes (k tangent blocks, or m cotangent blocks in reverse
 *  mode; a product tile keeps its sums of every block in registers). */
export const FUSED_MAX_BLOCKS = 8;
/** Storage bindings of the fused program (a device must allow this many per stage). */
export const FUSED_STORAGE_BINDINGS = 9;

const levels = Array.from({ length: FUSED_MAX_DEPTH + 1 }, (_, l) => l);
const sizeFields = levels.map((l) => `s${l}`);
const actFields = levels.slice(1).map((l) => `a${l}`);

/**
 * One model of a fused step: its gather record (the grouped gather's fields, with offX0,
 * offYb and offTb inside `work`), then its layer sizes s0…s8 and activation ids a1…a8, where
 * its parameters start (its Adam moments at twice that), its own region of `work` (activations,
 * pre-activations, their gradients; the loss weights at offW), and its loss and Adam scalars
 * (f32 bit patterns).
 */
export const FusedProblem = defineTable('FusedProblem', [
  ...GatherProblem.fields,
  'depth', 'paramOffset', 'work', 'offW', 'offLoss',
  'lr', 'beta1', 'beta2', 'decay', 'valueScale', 'tangentScale', 'valueWeight', 'tangentWeight',
  ...sizeFields, ...actFields,
] as unknown as readonly string[]);

export const FusedDims = defineStruct('FusedDims', { models: 'u32' });

/** The chunk: how many steps, and each step's record (StepInfo padded to 32 bytes). */
export const FUSED_CHUNK_BYTES = 16 + FUSED_MAX_STEPS * 32;

/** Floats of a model's region of `work`: A_0…A_L, Z_1…Z_L, Z̄_1…Z̄_L (rows × width each, rows =
 *  (1 + blocks)·n: k tangent blocks, or in reverse mode one cotangent block per output), in
 *  reverse mode Ḡ_1…Ḡ_{L−1} (m·n × width), Ā (rows × widest), then the minibatch targets
 *  (n·m values, k·n·m derivatives) at fusedTargetsAt. */
export function fusedWorkFloats(sizes: readonly number[], n: number, k: number, cotangents = 0): number {
  return fusedTargetsAt(sizes, n, k, cotangents) + (1 + k) * n * sizes[sizes.length - 1];
}

/** Where the minibatch targets start in a model's region of `work` (fusedWorkFloats). */
export function fusedTargetsAt(sizes: readonly number[], n: number, k: number, cotangents = 0): number {
  const rows = (1 + (cotangents > 0 ? cotangents : k)) * n;
  const sum = sizes.reduce((a, b) => a + b, 0);
  const hidden = sum - sizes[0] - sizes[sizes.length - 1];
  return rows * (sum + 2 * (sum - sizes[0]) + Math.max(...sizes)) + cotangents * n * hidden;
}

export interface FusedVariant {
  mode: DirectionMode;
  /** Threads of the one workgroup that trains a model. */
  threads: number;
  /** Derivative directions of every model of the dispatch (forward mode: its tangent blocks). */
  k: number;
  /** Reverse mode: one cotangent block per output (m); 0: forward mode (k tangent blocks). */
  cotangents: number;
  /** Activation ids the dispatch's models use (ascending): the only ones compiled in. */
  activations: number[];
  /** Whether a model of the dispatch has a layer for Adam's wide tile (adamTakesWide): only
   *  then is that tile compiled in (it adds about half to the kernel's compile time). */
  wideAdam: boolean;
}

/** One WGSL line per index 0…count−1 (a block, a sample, a unit of a tile), unrolled so the
 *  sums stay in registers. */
const unrolled = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join('\n');
/** One WGSL line per block q = 0…blocks−1. */
const perBlock = unrolled;
/** Units (or inputs) per thread in the fused step's products: each load of W serves U·blocks sums. */
const U = 4;
/** One WGSL line per unit u = 0…U−1 of a thread's tile. */
const units = (line: (u: number) => string) => unrolled(U, line);
/** Samples per thread in a product over `blocks` row blocks: S·blocks·U sums stay in registers
 *  and each load of W serves S·blocks of them. With several blocks about 6 rows (24 sums)
 *  measured fastest on SwiftShader (one sample: a one-block tile loads W once per multiply-add
 *  and ran at half the rate of a three-block one); one block takes 10 samples (a batch of 10 in
 *  one tile, 14 loads for 40 sums), about 10 % faster than 5 on 240-wide layers. */
export const samplesPerTile = (blocks: number) => (blocks === 1 ? 10 : Math.max(1, Math.floor(6 / blocks)));

/** A product of a thread tile: which row blocks it takes, where block q's row of a sample
 *  starts (`row(q, sample)`, WGSL), and what it stores for sample t and unit u once summed
 *  (`store(t, u)`: its sums are acc{t}_{q}_{u}, its element of an n × width block `el`). */
interface Tile {
  blocks: number;
  row: (q: number, sample: string) => string;
  store: (t: number, u: number) => string;
}

const tileSamples = (blocks: number, line: (t: number) => string) => unrolled(samplesPerTile(blocks), line);

/** Z = X·W_l (+ b on block 0 when `bias`) over fan-in fi = the rows' width, fan-out fo: each
 *  thread takes S samples × U units of every block (clamped loads, guarded stores). */
function rowsTimesW(tile: Tile & { bias: boolean }): string {
  const S = samplesPerTile(tile.blocks);
  const samples = (line: (t: number) => string) => tileSamples(tile.blocks, line);
  return /* wgsl */ `
      let tiles = (fo + ${U - 1}u) / ${U}u;
      for (var e = lid; e < ((n + ${S - 1}u) / ${S}u) * tiles; e += T) {
        let r0 = (e / tiles) * ${S}u;
        let j0 = (e % tiles) * ${U}u;
${units((u) => `        let c${u} = min(j0 + ${u}u, fo - 1u);${tile.bias ? `\n        let b${u} = params[w + fi * fo + c${u}];` : ''}`)}
${samples((t) => perBlock(tile.blocks, (q) => `        let x${t}_${q} = ${tile.row(q, `min(r0 + ${t}u, n - 1u)`)};\n${units((u) => `        var acc${t}_${q}_${u} = ${q === 0 && tile.bias ? `b${u}` : '0.0'};`)}`))}
        var wp = w;
        for (var i = 0u; i < fi; i++) {
${units((u) => `          let w${u} = params[wp + c${u}];`)}
${samples((t) => perBlock(tile.blocks, (q) => `          let x${t}_${q}i = work[x${t}_${q} + i];\n${units((u) => `          acc${t}_${q}_${u} += x${t}_${q}i * w${u};`)}`))}
          wp += fo;
        }
${samples((t) => `        if (r0 + ${t}u < n) {
${units((u) => `          if (j0 + ${u}u < fo) {
            let el = (r0 + ${t}u) * fo + j0 + ${u}u;
${tile.store(t, u)}
          }`)}
        }`)}
      }`;
}

/** X·W_lᵀ: rows of width fo into rows of width fi, each thread S samples × U inputs of every block. */
function rowsTimesWT(tile: Tile): string {
  const S = samplesPerTile(tile.blocks);
  const samples = (line: (t: number) => string) => tileSamples(tile.blocks, line);
  return /* wgsl */ `
      let tiles = (fi + ${U - 1}u) / ${U}u;
      for (var e = lid; e < ((n + ${S - 1}u) / ${S}u) * tiles; e += T) {
        let r0 = (e / tiles) * ${S}u;
        let i0 = (e % tiles) * ${U}u;
${units((u) => `        let wrow${u} = w + min(i0 + ${u}u, fi - 1u) * fo;`)}
${samples((t) => perBlock(tile.blocks, (q) => `        let y${t}_${q} = ${tile.row(q, `min(r0 + ${t}u, n - 1u)`)};\n${units((u) => `        var acc${t}_${q}_${u} = 0.0;`)}`))}
        for (var j = 0u; j < fo; j++) {
${units((u) => `          let w${u} = params[wrow${u} + j];`)}
${samples((t) => perBlock(tile.blocks, (q) => `          let y${t}_${q}j = work[y${t}_${q} + j];\n${units((u) => `          acc${t}_${q}_${u} += y${t}_${q}j * w${u};`)}`))}
        }
${samples((t) => `        if (r0 + ${t}u < n) {
${units((u) => `          if (i0 + ${u}u < fi) {
            let el = (r0 + ${t}u) * fi + i0 + ${u}u;
${tile.store(t, u)}
          }`)}
        }`)}
      }`;
}

/** Adam's tile of W for a thread: I inputs × J units, their gradients summed in registers
 *  (one load of A and of Z̄ per row serves J and I sums). */
interface AdamTile { name: string; I: number; J: number }
/** A layer takes the wide tile when it has at least 4 of them per thread (and 8 inputs and
 *  units): 8 × 8 loads 16 values a row for 64 sums (4 × 4: 8 for 16), which made a 240-wide
 *  model's step about 12 % faster on SwiftShader; with fewer tiles than that some threads idle
 *  (8 × 8 on 8-wide layers measured 30 % slower). */
const ADAM_NARROW: AdamTile = { name: 'adamNarrow', I: 4, J: 4 };
const ADAM_WIDE: AdamTile = { name: 'adamWide', I: 8, J: 8 };
const ADAM_WIDE_PER_THREAD = 4;
/** Whether a fi × fo layer takes Adam's wide tile in a workgroup of `threads` (as `adam` decides in WGSL). */
export const adamTakesWide = (fi: number, fo: number, threads: number) =>
  Math.min(fi, fo) >= ADAM_WIDE.I && Math.ceil(fi / ADAM_WIDE.I) * Math.ceil(fo / ADAM_WIDE.J) >= ADAM_WIDE_PER_THREAD * threads;

/** Adam on layer l's [W; b] (at w), each gradient summed over the rows ([A; Ȧ | 1; 0]ᵀ·[Z̄; Ż̄]):
 *  a thread takes an I×J tile of W (clamped loads, guarded updates) or J biases; weight decay
 *  on W only. */
const adamTile = ({ name, I, J }: AdamTile) => {
  const ins = (line: (v: number) => string) => unrolled(I, line);
  const outs = (line: (u: number) => string) => unrolled(J, line);
  return /* wgsl */ `
fn ${name}(p: FusedProblem, st: StepInfo, lid: u32, rows: u32, fi: u32, fo: u32, a: u32, zb: u32, w: u32) {
  let decay = bitcast<f32>(p.decay);
  let tj = (fo + ${J - 1}u) / ${J}u;
  let ti = (fi + ${I - 1}u) / ${I}u;
  var g: array<f32, ${I * J}>;
  for (var e = lid; e < (ti + 1u) * tj; e += T) {
    let i0 = (e / tj) * ${I}u;
    let j0 = (e % tj) * ${J}u;
${outs((u) => `    let cj${u} = min(j0 + ${u}u, fo - 1u);`)}
    // Zeroed here, for every tile: a declaration inside the loop was not re-zeroed on SwiftShader.
    g = array<f32, ${I * J}>();
    if (i0 < fi) {
${ins((v) => `      let ci${v} = min(i0 + ${v}u, fi - 1u);`)}
      var ap = a;
      var zp = zb;
      for (var r = 0u; r < rows; r++) {
${ins((v) => `        let a${v} = work[ap + ci${v}];`)}
${outs((u) => `        let z${u} = work[zp + cj${u}];`)}
${ins((v) => outs((u) => `        g[${v * J + u}] += a${v} * z${u};`))}
        ap += fi;
        zp += fo;
      }
    } else {
      var zp = zb;
      for (var r = 0u; r < p.n; r++) {
${outs((u) => `        g[${u}] += work[zp + cj${u}];`)}
        zp += fo;
      }
    }
    // The tile's parameters: rows i0… of W, or the bias row (at W's end).
    let weights = i0 < fi;
    let first = select(w + fi * fo, w + i0 * fo, weights);
    let rowsHere = select(1u, min(fi - i0, ${I}u), weights);
    for (var t = 0u; t < ${I * J}u; t++) {
      let v = t / ${J}u;
      let u = t % ${J}u;
      if (v < rowsHere && j0 + u < fo) {
        let q = first + v * fo + j0 + u;
        adamAt(p, st, q, g[t], decay, weights);
      }
    }
  }
}`;
};

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
 * The fused training step: workgroup b trains model b through every step of a chunk — the
 * minibatch gather (gatherRow, as the grouped gather), the forward pass with the input
 * derivatives, the value-and-derivative loss and its seeds, the backward pass with the σ''
 * coupling, and Adam — with a storage barrier between phases. Forward mode (forwardStep) stacks
 * k tangent blocks under the primal rows; reverse mode (reverseStep, DESIGN §8) one cotangent
 * block per output. In the products each thread owns a register tile of S samples × U units
 * (or inputs) of every block it takes (rowsTimesW, rowsTimesWT), or 4 × 4 or 8 × 8 parameters (their
 * gradients summed over the rows, then their Adam updates: no gradient buffer); every
 * element's sum keeps the order of one thread per element. Layer l's parameters are updated
 * only after the last product that reads W_l. Every model reads only its own region of
 * `work`: a model's result does not depend on the others in the dispatch.
 */
export const fusedStepProgram: Program<FusedVariant> = {
  name: 'fused-step',
  key: (v) => `${v.mode}|${v.threads}|${v.k}|${v.cotangents}|${v.activations.join(',')}|${v.wideAdam ? 'wide' : 'narrow'}`,
  dims: FusedDims,
  bindings: () => [
    ...gatherDataBindings,
    bind('params', 'rw', 'array<f32>', 'Every parameter of every model'),
    bind('moments', 'rw', 'array<f32>', 'Adam moments, interleaved: parameter q\'s first at 2q, its second at 2q + 1'),
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

${['f', 'd1', 'd2'].map((f) => activationSubset(`fused${f.toUpperCase()}`, `act_${f}_id`, v.activations)).join('\n')}

fn gatherOf(p: FusedProblem) -> GatherProblem {
  return GatherProblem(${GatherProblem.fields.map((f) => `p.${f}`).join(', ')});
}

fn sync() {
  storageBarrier();
  workgroupBarrier();
}

// One parameter's Adam update with its gradient g, plus decay × the parameter (weights only).
// Its two moments are neighbours: one cache line for both (measured ~20 % faster on large
// models than the second moments in a block of their own).
fn adamAt(p: FusedProblem, st: StepInfo, q: u32, g: f32, decay: f32, weight: bool) {
  let beta1 = bitcast<f32>(p.beta1);
  let beta2 = bitcast<f32>(p.beta2);
  let value = params[q];
  let gd = select(g, g + decay * value, weight);
  let m = beta1 * moments[2u * q] + (1.0 - beta1) * gd;
  let s = beta2 * moments[2u * q + 1u] + (1.0 - beta2) * gd * gd;
  moments[2u * q] = m;
  moments[2u * q + 1u] = s;
  params[q] = value - bitcast<f32>(p.lr) * st.lrT * m / (sqrt(s) + st.epsT);
}

${adamTile(ADAM_NARROW)}
${v.wideAdam ? adamTile(ADAM_WIDE) : ''}

// Adam on layer l's [W; b] (at w); lr 0: a model that stopped.
fn adam(p: FusedProblem, st: StepInfo, lid: u32, rows: u32, fi: u32, fo: u32, a: u32, zb: u32, w: u32) {
  if (p.lr == 0u) { return; }${v.wideAdam ? `
  let wideTiles = ((fi + ${ADAM_WIDE.I - 1}u) / ${ADAM_WIDE.I}u) * ((fo + ${ADAM_WIDE.J - 1}u) / ${ADAM_WIDE.J}u);
  if (min(fi, fo) >= ${ADAM_WIDE.I}u && wideTiles >= ${ADAM_WIDE_PER_THREAD}u * T) {
    ${ADAM_WIDE.name}(p, st, lid, rows, fi, fo, a, zb, w);
    return;
  }` : ''}
  ${ADAM_NARROW.name}(p, st, lid, rows, fi, fo, a, zb, w);
}

// The step's loss sums into its epoch's slot (as the grouped loss): weighted for the report, plain for the objective.
fn addLoss(p: FusedProblem, st: StepInfo, k: u32) {
  var total = vec4f(0.0);
  for (var i = 0u; i < T; i++) { total += partial[i]; }
  let valueCount = p.n * p.m;
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
${v.cotangents > 0 ? reverseStep(v) : forwardStep(v)}
`,
};

/** Each thread's share of the step's value residuals: weighted (sv, for the report) and plain (ov). */
const valueLoss = /* wgsl */ `    var sv = 0.0;
    var ov = 0.0;
    for (var i = lid; i < valueCount; i += T) {
      let r = work[out + i] - work[p.offYb + i];
      sv += work[p.offW + i % m] * r * r;
      ov += r * r;
    }`;

/** A level of the backward pass: its sizes, activation, offsets and whether it is the output (the seed). */
const backwardLevel = /* wgsl */ `      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let act = actOf(p, l);
      let z = offZ[l];
      let zb = offB[l];
      let w = offP[l];
      let block = n * fo;
      let seed = l == L;`;

/** The entry point's first lines: workgroup b trains model b (of the dispatch's table); its
 *  stacked rows ((1 + k)·n forward, (1 + M)·n reverse), its level offsets in `work` (A_l, Z_l,
 *  Z̄_l; reverse mode also Ḡ_l) and in params ([W_l; b_l]), and where its outputs start. */
const entry = (v: FusedVariant) => /* wgsl */ `@compute @workgroup_size(${v.threads})
fn main(@builtin(workgroup_id) wgId: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let model = wgId.x + wgId.y * groups.x;
  if (model >= dims.models) { return; }
  let p = problems[model];
  let gp = gatherOf(p);
  let n = p.n;
  let k = ${v.k}u;
  let L = p.depth;
  let rows = (1u + ${v.cotangents > 0 ? 'M' : 'k'}) * n;
  var offA: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offZ: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offB: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var offP: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  var at = p.work;
  for (var l = 0u; l <= L; l++) { offA[l] = at; at += rows * sizeOf(p, l); }
  for (var l = 1u; l <= L; l++) { offZ[l] = at; at += rows * sizeOf(p, l); }
  for (var l = 1u; l <= L; l++) { offB[l] = at; at += rows * sizeOf(p, l); }${v.cotangents > 0 ? `
  var offG: array<u32, ${FUSED_MAX_DEPTH + 1}>;
  for (var l = 1u; l < L; l++) { offG[l] = at; at += M * n * sizeOf(p, l); }` : ''}
  let offAbar = at;
  var pAt = p.paramOffset;
  for (var l = 1u; l <= L; l++) { offP[l] = pAt; pAt += (sizeOf(p, l - 1u) + 1u) * sizeOf(p, l); }
  let m = p.m;
  let out = offA[L];
  let valueCount = n * m;`;

/**
 * Forward mode: [A; Ȧ] with Z and Ż kept, k tangent blocks (the directions, gathered under the
 * primal rows); the loss seeds the output level's [Z̄; Ż̄], the backward pass forms each level's
 * from Ā = [Z̄; Ż̄]·Wᵀ with the σ''·ż·ȧ coupling, and Adam takes [A; Ȧ]ᵀ·[Z̄; Ż̄].
 */
function forwardStep(v: FusedVariant): string {
  const B = 1 + v.k;
  return /* wgsl */ `
${entry(v)}

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
${rowsTimesW({
    blocks: B,
    bias: true,
    row: (q, sample) => `a + (${q}u * n + ${sample}) * fi`,
    store: (t, u) => `            work[offZ[l] + el] = acc${t}_0_${u};
            work[offA[l] + el] = fusedF(act, acc${t}_0_${u});
            let d1 = fusedD1(act, acc${t}_0_${u});
${perBlock(B, (q) => q === 0 ? '' : `            work[offZ[l] + ${q}u * n * fo + el] = acc${t}_${q}_${u};\n            work[offA[l] + ${q}u * n * fo + el] = d1 * acc${t}_${q}_${u};`)}`,
  })}
      sync();
    }
    // The loss sums: weighted for the report, plain for the objective.
${valueLoss}
    var stn = 0.0;
    var ot = 0.0;
    for (var i = lid; i < valueCount * k; i += T) {
      let r = work[out + valueCount + i] - work[p.offTb + i];
      stn += work[p.offW + m + (i / valueCount) * m + i % m] * r * r;
      ot += r * r;
    }
    partial[lid] = vec4f(sv, stn, ov, ot);
    // Backward, from the output level down; Adam on layer l + 1 while level l's Z̄ forms.
    var l = L;
    loop {
${backwardLevel}
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
      if (seed && lid == 0u) { addLoss(p, st, k); }
      if (l == 1u) { break; }
      // Ā_{l−1} = [Z̄; Ż̄]_l · W_lᵀ over every row.
${rowsTimesWT({
    blocks: B,
    row: (q, sample) => `zb + (${q}u * n + ${sample}) * fo`,
    store: (t, u) => perBlock(B, (q) => `            work[offAbar + ${q}u * n * fi + el] = acc${t}_${q}_${u};`),
  })}
      sync();
      l -= 1u;
    }
    adam(p, st, lid, rows, sizeOf(p, 0u), sizeOf(p, 1u), offA[0], offB[1], offP[1]);
    sync();
  }
}`;
}

/**
 * Reverse mode (DESIGN §8), M = m cotangent blocks, block j for output j; directions 'all'
 * (the gradient inputs). Per step: the primal forward (the output level also seeds
 * Ĝ_L = σ'(Z_L)·e_j); the input-gradient sweep Ḡ_{l−1} = Ĝ_l·W_lᵀ, Ĝ_l = σ'(Z_l)·Ḡ_l down to
 * Ḡ_0, whose gradient-input columns meet their targets (the derivative loss and the adjoint
 * seed R_0); the adjoint sweep R̂_l = R_{l−1}·W_l, R_l = σ'(Z_l)·R̂_l; the primal backward
 * Z̄ = σ'(Z)·Ā + σ''(Z)·Σ_j Ḡ⁽ʲ⁾·R̂⁽ʲ⁾, Ā_{l−1} = Z̄_l·W_lᵀ; Adam on [A; R]ᵀ·[Z̄; Ĝ].
 * Rows of a level: A_l = [A; R], Z_l = [Z; R̂], Z̄_l = [Z̄; Ĝ] ((1 + M)·n each); Ḡ_l (M·n) apart.
 */
function reverseStep(v: FusedVariant): string {
  const M = v.cotangents;
  const outputs = (line: (j: number) => string) => perBlock(M, line);
  return /* wgsl */ `
const M: u32 = ${M}u;

// Output j's gradient y at input i of sample r (Ḡ_0): its residual against each direction on
// input i into the adjoint seed R_0 (every input's entry written), and the derivative loss sums
// (weighted, plain).
fn inputGradient(p: FusedProblem, x: u32, r: u32, i: u32, j: u32, y: f32) -> vec2f {
  var seed = 0.0;
  var sums = vec2f(0.0);
  for (var q = 0u; q < p.k; q++) {
    if (indices[p.offGrad + q] == i) {
      let res = y - work[p.offTb + (q * p.n + r) * p.m + j];
      seed += bitcast<f32>(p.tangentScale) * res;
      sums += vec2f(work[p.offW + p.m + q * p.m + j] * res * res, res * res);
    }
  }
  work[x + ((1u + j) * p.n + r) * p.d + i] = seed;
  return sums;
}

${entry(v)}

  for (var s = 0u; s < chunk.count; s++) {
    let st = chunk.steps[s].info;
    for (var t = lid; t < (1u + k) * n; t += T) { gatherRow(gp, t, st); }
    sync();
    // Primal forward: Z = A·W + b, A = σ(Z); at the output level Ĝ_L = σ'(Z_L)·e_j too.
    for (var l = 1u; l <= L; l++) {
      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let act = actOf(p, l);
      let a = offA[l - 1u];
      let w = offP[l];
${rowsTimesW({
    blocks: 1,
    bias: true,
    row: (_, sample) => `a + ${sample} * fi`,
    store: (t, u) => `            work[offZ[l] + el] = acc${t}_0_${u};
            work[offA[l] + el] = fusedF(act, acc${t}_0_${u});
            if (l == L) {
              let d1 = fusedD1(act, acc${t}_0_${u});
${outputs((j) => `              work[offB[l] + ${1 + j}u * n * fo + el] = select(0.0, d1, j0 + ${u}u == ${j}u);`)}
            }`,
  })}
      sync();
    }
${valueLoss}
    var tangentSums = vec2f(0.0);
    // Input-gradient sweep: Ḡ_{l−1} = Ĝ_l·W_lᵀ, and Ĝ_{l−1} = σ'(Z_{l−1})·Ḡ_{l−1}; at the inputs, R_0 and the derivative loss.
    for (var l = L; l >= 1u; l--) {
      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let w = offP[l];
      let below = l - 1u;
${rowsTimesWT({
    blocks: M,
    row: (q, sample) => `offB[l] + (${1 + q}u * n + ${sample}) * fo`,
    store: (t, u) => `            if (below == 0u) {
${outputs((j) => `              tangentSums += inputGradient(p, offA[0], r0 + ${t}u, i0 + ${u}u, ${j}u, acc${t}_${j}_${u});`)}
            } else {
              let d1 = fusedD1(actOf(p, below), work[offZ[below] + el]);
${outputs((j) => `              work[offG[below] + ${j}u * n * fi + el] = acc${t}_${j}_${u};\n              work[offB[below] + ${1 + j}u * n * fi + el] = d1 * acc${t}_${j}_${u};`)}
            }`,
  })}
      sync();
    }
    partial[lid] = vec4f(sv, tangentSums.x, ov, tangentSums.y);
    // Adjoint sweep: R̂_l = R_{l−1}·W_l, R_l = σ'(Z_l)·R̂_l.
    for (var l = 1u; l <= L; l++) {
      let fi = sizeOf(p, l - 1u);
      let fo = sizeOf(p, l);
      let act = actOf(p, l);
      let a = offA[l - 1u];
      let w = offP[l];
${rowsTimesW({
    blocks: M,
    bias: false,
    row: (q, sample) => `a + (${1 + q}u * n + ${sample}) * fi`,
    store: (t, u) => `            let d1 = fusedD1(act, work[offZ[l] + el]);
${outputs((j) => `            work[offZ[l] + ${1 + j}u * n * fo + el] = acc${t}_${j}_${u};\n            work[offA[l] + ${1 + j}u * n * fo + el] = d1 * acc${t}_${j}_${u};`)}`,
  })}
      sync();
    }
    // Primal backward, from the output level down (Ḡ_L = e_j); Adam on layer l + 1 while level l's Z̄ forms.
    var l = L;
    loop {
${backwardLevel}
      for (var e = lid; e < block; e += T) {
        let zv = work[z + e];
        var coupling = 0.0;
        var abar = 0.0;
        if (seed) {
          abar = bitcast<f32>(p.valueScale) * (work[out + e] - work[p.offYb + e]);
          coupling = work[z + (1u + e % fo) * block + e];
        } else {
          abar = work[offAbar + e];
${outputs((j) => `          coupling += work[offG[l] + ${j}u * block + e] * work[z + ${1 + j}u * block + e];`)}
        }
        work[zb + e] = fusedD1(act, zv) * abar + fusedD2(act, zv) * coupling;
      }
      if (!seed) { adam(p, st, lid, rows, fo, sizeOf(p, l + 1u), offA[l], offB[l + 1u], offP[l + 1u]); }
      sync();
      if (seed && lid == 0u) { addLoss(p, st, k); }
      if (l == 1u) { break; }
      // Ā_{l−1} = Z̄_l·W_lᵀ on the primal rows.
${rowsTimesWT({
    blocks: 1,
    row: (_, sample) => `zb + ${sample} * fo`,
    store: (t, u) => `            work[offAbar + el] = acc${t}_0_${u};`,
  })}
      sync();
      l -= 1u;
    }
    adam(p, st, lid, rows, sizeOf(p, 0u), sizeOf(p, 1u), offA[0], offB[1], offP[1]);
    sync();
  }
}`;
}
