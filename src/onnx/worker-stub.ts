// What the pool's bundled worker (dist/worker.js) gets in place of ./export: it trains and never
// exports, so protobufjs and the ONNX schema stay out of that file (see vite.config.ts).
import type { MlpGroupJson, MlpJson } from '../nn/saved';
import type { OnnxOptions } from './export';

export type { OnnxOptions } from './export';

export function savedToOnnx(_json: MlpJson | MlpGroupJson, _options?: OnnxOptions, _index?: number): Uint8Array {
  throw new Error('ONNX export is not bundled into the pool worker: call toOnnx() on the page (or in Node), e.g. on loadMlp(ctx, job result)');
}
