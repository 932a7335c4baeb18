import protobuf from 'protobufjs';
import { readSavedModel, savedShape, type MlpGroupJson, type MlpJson } from '../nn/saved';
import type { Activation } from '../types';
import { ONNX_SCHEMA } from './schema';

/** Options of toOnnx. */
export interface OnnxOptions {
  /** ONNX operator set (default.onnx domain) the graph is written for, 13 to 21; default 17.
   *  From 20 on, gelu is one Gelu node (approximate 'tanh'); before, it is composed of
   *  Mul, Add and Tanh nodes. */
  opset?: number;
  /** Name of the graph's input, default 'x' (float32, [N, inputs]). */
  inputName?: string;
  /** Name of the graph's output, default 'y' (float32, [N, outputs]). */
  outputName?: string;
}

export const ONNX_OPSETS = { min: 13, max: 21, default: 17 } as const;

/** The ONNX IR version that goes with an opset (the oldest that allows it, so older runtimes
 *  read the file). */
function irVersionFor(opset: number): number {
  return opset <= 15 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_STRING = 3; // AttributeProto.AttributeType.STRING

let modelType: protobuf.Type | undefined;
function onnxModelType(): protobuf.Type {
  return (modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto'));
}

interface Node {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  attribute?: { name: string; type: number; s: Uint8Array }[];
}

interface Tensor {
  name: string;
  dims: number[];
  data_type: number;
  float_data: number[];
}

/** Appends the nodes of one activation from `x` to `y` (linear: none; the caller names the
 *  previous output `y`). */
function activationNodes(act: Activation, x: string, y: string, prefix: string, opset: number, nodes: Node[], constants: Map<string, number>): void {
  const node = (op_type: string, input: string[], output: string, suffix = op_type): void => {
    nodes.push({ op_type, input, output: [output], name: `${prefix}/${suffix}` });
  };
  const constant = (value: number, name: string): string => {
    constants.set(name, value);
    return name;
  };
  switch (act) {
    case 'tanh':
      return node('Tanh', [x], y);
    case 'sigmoid':
      return node('Sigmoid', [x], y);
    case 'softplus':
      return node('Softplus', [x], y);
    case 'sin':
      return node('Sin', [x], y);
    case 'relu':
      return node('Relu', [x], y);
    case 'gelu': {
      if (opset >= 20) {
        nodes.push({ op_type: 'Gelu', input: [x], output: [y], name: `${prefix}/Gelu`, attribute: [{ name: 'approximate', type: ATTRIBUTE_STRING, s: new TextEncoder().encode('tanh') }] });
        return;
      }
      // ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as src/reference/activations.ts defines it.
      const t = (s: string): string => `${prefix}/gelu_${s}`;
      node('Mul', [x, x], t('x2'), 'x2');
      node('Mul', [t('x2'), x], t('x3'), 'x3');
      node('Mul', [t('x3'), constant(0.044715, 'gelu_a')], t('ax3'), 'ax3');
      node('Add', [x, t('ax3')], t('inner'), 'inner');
      node('Mul', [t('inner'), constant(Math.sqrt(2 / Math.PI), 'gelu_c')], t('u'), 'u');
      node('Tanh', [t('u')], t('tanh'), 'tanh');
      node('Add', [t('tanh'), constant(1, 'one')], t('1p'), '1p');
      node('Mul', [x, constant(0.5, 'half')], t('hx'), 'hx');
      node('Mul', [t('hx'), t('1p')], y, 'y');
      return;
    }
    case 'linear':
      return node('Identity', [x], y);
  }
}

function checkName(key: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${key} must be a non-empty string, got ${typeof value === 'string' ? "''" : typeof value}`);
  return value;
}

/**
 * A saved model (Mlp.toJSON(), or model `index` of MlpGroup.toJSON()) as an ONNX ModelProto:
 * one Gemm per layer (W as stored, [fanIn × fanOut]) followed by its activation, input
 * float32 [N, inputs], output float32 [N, outputs], N symbolic. The saved parameters already
 * act on user units (fit folds its standardisation back into them), so the graph needs no
 * scaling nodes.
 */
export function savedToOnnx(json: MlpJson | MlpGroupJson, options: OnnxOptions = {}, index = 0): Uint8Array {
  if (!json || typeof json !== 'object') throw new TypeError('savedToOnnx needs a saved model: mlp.toJSON() or group.toJSON()');
  const known = new Set(['opset', 'inputName', 'outputName']);
  for (const key of Object.keys(options)) if (!known.has(key)) throw new TypeError(`unknown toOnnx option '${key}' (known: ${[...known].join(', ')})`);
  const opset = options.opset ?? ONNX_OPSETS.default;
  if (!Number.isInteger(opset) || opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    throw new RangeError(`opset must be an integer from ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}, got ${String(opset)}`);
  }
  const inputName = checkName('inputName', options.inputName, 'x');
  const outputName = checkName('outputName', options.outputName, 'y');
  if (inputName === outputName) throw new RangeError(`inputName and outputName must differ, both are '${inputName}'`);
  let saved: unknown;
  if (json.format === 'sobolev-webgpu/mlp-group') {
    if (!Number.isInteger(index) || index < 0 || index >= json.models?.length) throw new RangeError(`model index ${index} is out of range: the group has ${json.models?.length} models`);
    saved = json.models[index];
  } else if (json.format === 'sobolev-webgpu/mlp') {
    saved = json.model;
  } else {
    throw new TypeError(`expected format 'sobolev-webgpu/mlp' or 'sobolev-webgpu/mlp-group', got '${String((json as { format?: unknown }).format)}'`);
  }
  const { inputs, outputs } = savedShape(json);
  const { spec, parameters } = readSavedModel(saved, inputs, outputs, json.format === 'sobolev-webgpu/mlp' ? 'model' : `models[${index}]`);

  const sizes = [inputs, ...spec.hidden, outputs];
  const layers = sizes.length - 1;
  const nodes: Node[] = [];
  const initializer: Tensor[] = [];
  const constants = new Map<string, number>();
  let h = inputName;
  for (let l = 0; l < layers; l++) {
    const last = l === layers - 1;
    const act = last ? spec.outputActivation : spec.activation;
    const z = last && act === 'linear' ? outputName : `layer${l}/z`;
    initializer.push({ name: `W${l}`, dims: [sizes[l], sizes[l + 1]], data_type: FLOAT, float_data: Array.from(parameters.weights[l]) });
    initializer.push({ name: `b${l}`, dims: [sizes[l + 1]], data_type: FLOAT, float_data: Array.from(parameters.biases[l]) });
    nodes.push({ op_type: 'Gemm', input: [h, `W${l}`, `b${l}`], output: [z], name: `layer${l}/Gemm` });
    if (act === 'linear') {
      h = z;
      continue;
    }
    h = last ? outputName : `layer${l}/h`;
    activationNodes(act, z, h, `layer${l}`, opset, nodes, constants);
  }
  for (const [name, value] of constants) initializer.push({ name, dims: [], data_type: FLOAT, float_data: [value] });

  const tensorType = (cols: number) => ({ tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_param: 'N' }, { dim_value: cols }] } } });
  const model = {
    ir_version: irVersionFor(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'sobolev-webgpu',
    doc_string: `MLP ${sizes.join(' → ')}, activation ${spec.activation}, output activation ${spec.outputActivation}`,
    graph: {
      name: 'mlp',
      node: nodes,
      initializer,
      input: [{ name: inputName, type: tensorType(inputs) }],
      output: [{ name: outputName, type: tensorType(outputs) }],
    },
  };
  const type = onnxModelType();
  const problem = type.verify(model);
  if (problem) throw new Error(`internal error: the ONNX model does not match the schema: ${problem}`);
  return type.encode(type.fromObject(model)).finish();
}
