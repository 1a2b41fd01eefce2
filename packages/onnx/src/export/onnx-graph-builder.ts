import { endianness } from 'node:os';
import { InvalidArgumentError } from '@reca/runtime';
import { onnx, type OnnxNamespace } from '../proto/onnx-proto.js';

/** A node attribute, typed explicitly (ONNX distinguishes int from float attributes). */
export type OnnxAttribute =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly string: string };

/** A dimension of a graph input or output: a fixed size or a symbolic name (e.g. `'batch'`). */
export type OnnxDimension = number | string;

/** Options of {@link OnnxGraphBuilder.encode}. */
export interface OnnxModelEncodeOptions {
  /** Version of the default (`ai.onnx`) operator set the graph is written for. */
  opsetVersion: number;
  /** `ModelProto.producer_name`. @default '@reca/onnx' */
  producerName?: string;
  /** `ModelProto.producer_version`. @default '' */
  producerVersion?: string;
  /** `ModelProto.doc_string`. @default '' */
  docString?: string;
  /** `ModelProto.metadata_props`. @default {} */
  metadata?: Readonly<Record<string, string>>;
}

const elementTypeFloat = onnx.TensorProto.DataType.FLOAT;
const elementTypeInt64 = onnx.TensorProto.DataType.INT64;
const littleEndianHost = endianness() === 'LE';

/** The little-endian bytes of a typed array (ONNX `raw_data` is always little-endian). */
function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  if (values instanceof Float32Array) values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  else values.forEach((value, index) => view.setBigInt64(index * 8, value, true));
  return bytes;
}

/**
 * Builds one ONNX graph with the `onnx-proto` protobuf classes: inputs, outputs, initializers and nodes in
 * topological order, with unique generated names for intermediate values. {@link encode} writes the
 * `ModelProto` bytes (`onnx.ModelProto.encode`), which `onnxruntime-node` loads directly.
 */
export class OnnxGraphBuilder {
  readonly #inputs: OnnxNamespace.IValueInfoProto[] = [];
  readonly #outputs: OnnxNamespace.IValueInfoProto[] = [];
  readonly #initializers: OnnxNamespace.ITensorProto[] = [];
  readonly #nodes: OnnxNamespace.INodeProto[] = [];
  readonly #names = new Set<string>();
  readonly #graphName: string;
  #counter = 0;

  /** @param graphName - `GraphProto.name`. */
  constructor(graphName: string) {
    this.#graphName = graphName;
  }

  /** Declares a float32 graph input. @returns its name. */
  addInput(name: string, shape: readonly OnnxDimension[]): string {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, shape));
    return name;
  }

  /**
   * Declares a float32 graph output whose value is produced by a node under the same name.
   * @param shape - the declared shape; `undefined` leaves the shape out (ONNX Runtime infers it).
   */
  addOutput(name: string, shape: readonly OnnxDimension[] | undefined): void {
    if (!this.#names.has(name)) {
      throw new InvalidArgumentError({ argument: 'name', message: `graph output '${name}' is not produced by any node or input` });
    }
    this.#outputs.push(valueInfo(name, shape));
  }

  /**
   * Adds a float32 initializer (a constant weight).
   * @param values - float32 data in row-major order; its length must be the product of `dims`.
   * @returns its name.
   */
  addFloatInitializer(name: string, values: Float32Array, dims: readonly number[]): string {
    assertSize(name, values.length, dims);
    this.#claim(name);
    this.#initializers.push({ name, dims: [...dims], dataType: elementTypeFloat, rawData: littleEndianBytes(values) });
    return name;
  }

  /** Adds an int64 initializer (shapes, axes, indices). `dims` `[]` makes a scalar. @returns its name. */
  addInt64Initializer(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    assertSize(name, values.length, dims);
    this.#claim(name);
    const data = BigInt64Array.from(values, (value) => BigInt(value));
    this.#initializers.push({ name, dims: [...dims], dataType: elementTypeInt64, rawData: littleEndianBytes(data) });
    return name;
  }

  /** Adds a float32 scalar initializer with a generated name. @returns its name. */
  addScalar(prefix: string, value: number): string {
    return this.addFloatInitializer(this.uniqueName(prefix), Float32Array.of(value), []);
  }

  /**
   * Appends a node with one output.
   * @param outputName - the output value's name. @default a generated unique name from `opType`
   * @returns the output value's name.
   */
  addNode(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, outputName?: string): string {
    for (const input of inputs) {
      if (input !== '' && !this.#names.has(input)) {
        throw new InvalidArgumentError({ argument: 'inputs', message: `node ${opType} reads '${input}', which no earlier node, input or initializer produces` });
      }
    }
    const output = outputName ?? this.uniqueName(opType.toLowerCase());
    this.#claim(output);
    this.#nodes.push({
      opType,
      name: `${opType}_${this.#nodes.length}`,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** A name not used yet, starting with `prefix`. */
  uniqueName(prefix: string): string {
    let name: string;
    do {
      this.#counter += 1;
      name = `${prefix}_${this.#counter}`;
    } while (this.#names.has(name));
    return name;
  }

  /** The `ModelProto` of the graph built so far. */
  toModelProto(options: OnnxModelEncodeOptions): OnnxNamespace.ModelProto {
    const { opsetVersion, producerName = '@reca/onnx', producerVersion = '', docString = '', metadata = {} } = options;
    if (!Number.isInteger(opsetVersion) || opsetVersion < 13) {
      throw new InvalidArgumentError({ argument: 'opsetVersion', message: `must be an integer ≥ 13, got ${opsetVersion}` });
    }
    return onnx.ModelProto.create({
      // IR 8 is what ONNX 1.10–1.12 write for opsets ≤ 17; opsets 19+ (Gelu is 20) need IR 9.
      irVersion: opsetVersion >= 19 ? 9 : 8,
      opsetImport: [{ domain: '', version: opsetVersion }],
      producerName,
      producerVersion,
      docString,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.#graphName,
        input: this.#inputs,
        output: this.#outputs,
        initializer: this.#initializers,
        node: this.#nodes,
      },
    });
  }

  /** The serialised model (`onnx.ModelProto.encode(...).finish()`). */
  encode(options: OnnxModelEncodeOptions): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto(options)).finish();
  }

  #claim(name: string): void {
    if (name === '' || this.#names.has(name)) {
      throw new InvalidArgumentError({ argument: 'name', message: `value name '${name}' is empty or already used in graph '${this.#graphName}'` });
    }
    this.#names.add(name);
  }
}

function assertSize(name: string, length: number, dims: readonly number[]): void {
  const expected = dims.reduce((product, size) => product * size, 1);
  if (length !== expected) {
    throw new InvalidArgumentError({ argument: name, message: `has ${length} values, but dims [${dims.join(', ')}] hold ${expected}` });
  }
}

function valueInfo(name: string, shape: readonly OnnxDimension[] | undefined): OnnxNamespace.IValueInfoProto {
  const tensorType: OnnxNamespace.TypeProto.ITensor = { elemType: elementTypeFloat };
  if (shape) {
    tensorType.shape = { dim: shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size })) };
  }
  return { name, type: { tensorType } };
}

function attribute(name: string, value: OnnxAttribute): OnnxNamespace.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: types.INT, i: value.int };
  if ('ints' in value) return { name, type: types.INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  return { name, type: types.STRING, s: new TextEncoder().encode(value.string) };
}
