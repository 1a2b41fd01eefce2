import { int64ToNumber, onnx } from '../proto/onnx-proto.js';

/** A decoded model in plain, fully typed form, for assertions. */
export interface DecodedModel {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Graph inputs with their dimensions (symbolic ones as their name). */
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly dims: ReadonlyArray<number | string> }>;
  /** Initializer dims by name, in graph order. */
  readonly initializers: ReadonlyMap<string, readonly number[]>;
  readonly nodes: ReadonlyArray<{ readonly opType: string; readonly outputs: readonly string[] }>;
}

/** Decodes serialised `ModelProto` bytes with onnx-proto. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  return {
    irVersion: int64ToNumber(model.irVersion),
    opsetVersion: int64ToNumber(model.opsetImport[0]?.version),
    producerName: model.producerName,
    metadata: Object.fromEntries(model.metadataProps.map((entry) => [entry.key ?? '', entry.value ?? ''])),
    inputs: (graph?.input ?? []).map((input) => ({
      name: input.name ?? '',
      dims: (input.type?.tensorType?.shape?.dim ?? []).map((dimension) => dimension.dimParam || int64ToNumber(dimension.dimValue)),
    })),
    initializers: new Map((graph?.initializer ?? []).map((tensor) => [tensor.name ?? '', (tensor.dims ?? []).map((size) => int64ToNumber(size))])),
    nodes: (graph?.node ?? []).map((node) => ({ opType: node.opType ?? '', outputs: node.output ?? [] })),
  };
}
