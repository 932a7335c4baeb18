import type { KernelComparison } from './kernels';
import type { PeakResult } from './peak';
import type { StepProfile } from './profile';

export interface CheckRow {
  library: string;
  device: string;
  /** Which way of writing the step (e.g. 'reverse-over-reverse'). */
  formulation?: string;
  /** ok: gradients match the float64 reference; wrong: they do not; failed: did not run. */
  status: 'ok' | 'wrong' | 'failed';
  loss?: number;
  refLoss?: number;
  /** max over parameter tensors of ‖g − g_ref‖∞ / ‖g_ref‖∞ */
  gradRelErr?: number;
  /** the same error of this library against sobolev-webgpu's gradients */
  vsOursRelErr?: number;
  error?: string;
  note?: string;
}

export interface MainRow {
  /** The entry's id (bench/main.ts), e.g. 'jax-wasm-rr'. */
  id?: string;
  library: string;
  device: string;
  formulation?: string;
  method: string;
  status: 'ok' | 'failed';
  error?: string;
  msPerStep?: number;
  /** ms per step of each timed block */
  blocks?: number[];
  /** the fastest block's ms per step (least disturbed by other load on the machine) */
  bestMsPerStep?: number;
  /** bestMsPerStep / sobolev-webgpu's */
  bestRatio?: number;
  stepsPerBlock?: number;
  warmupMs?: number;
  /** this library's ms per step / sobolev-webgpu's */
  ratio?: number;
  gflops?: number;
  /** share of the WebGPU FMA peak, in % */
  pctPeak?: number;
  /** loss after the last timed block (sanity: training is moving) */
  loss?: number;
  gradientCheck?: CheckRow['status'];
}

/** A peer library on one device at its best: the fastest of its formulations that passed the
 *  gradient check (none when none did), and sobolev-webgpu's speed relative to it. */
export interface BestRow {
  library: string;
  device: string;
  /** Every formulation timed, with its median or why it does not count. */
  formulations: string[];
  formulation?: string;
  msPerStep?: number;
  bestMsPerStep?: number;
  /** its median ms/step ÷ ours (> 1: we are faster) */
  ratio?: number;
  /** its fastest block ÷ our fastest block */
  bestRatio?: number;
}

export interface SweepRow {
  width: number;
  n: number;
  rows: number;
  mflopsPerStep: number;
  msPerStep: number;
  blocks: number[];
  stepsPerBlock: number;
  gflops: number;
  pctPeak: number;
  /** dispatches per step × the measured per-dispatch cost */
  dispatchFloorMs?: number;
  error?: string;
}

/** One (d, m, jacobianMode) point of the modes section: 64×64 tanh, N = 1024, 'all'. */
export interface ModeRow {
  d: number;
  m: number;
  mode: 'forward' | 'reverse' | 'auto';
  /** The mode that ran ('auto' resolved). */
  ran: 'forward' | 'reverse';
  /** The least arithmetic that gives the gradient (min(d, m) stacked blocks), MFLOP. */
  mflopsLeast: number;
  msPerStep: number;
  blocks: number[];
  gflops: number;
  pctPeak: number;
  error?: string;
}

export interface BenchResult {
  date: string;
  userAgent: string;
  adapter: { vendor: string; architecture: string; device: string; description: string };
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  quick: boolean;
  problem: { sizes: number[]; n: number; k: number; w: number; learningRate: number; mflopsPerStep: number; activation: string; loss: string };
  peak?: PeakResult;
  checks: CheckRow[];
  main: MainRow[];
  /** Each peer library and device at its best (from `main`). */
  best?: BestRow[];
  profile?: StepProfile & { dispatchFloorMs: number; fitMsPerStep?: number };
  /** The formulation the profile recorded (ours, jacobianMode 'auto'). */
  profileFormulation?: string;
  /** Direct-GEMM changes, each timed against the path without it (bench/kernels.ts). */
  kernels?: KernelComparison[];
  width: SweepRow[];
  n: SweepRow[];
  /** Each jacobianMode against d and m. */
  modes: ModeRow[];
  warnings: string[];
  totalSeconds: number;
}
