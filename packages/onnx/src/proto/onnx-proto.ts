import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

/**
 * The ONNX protobuf classes of `onnx-proto` (protobufjs static code for onnx.proto): `onnx.ModelProto`,
 * `onnx.GraphProto`, `onnx.TensorProto`, … with `create`, `encode`, `decode` and `verify`.
 *
 * `onnx-proto` is a CommonJS module whose `onnx` namespace Node's ES-module loader cannot see as a named export, so
 * it is loaded with `require` (the same object under Node, vitest and the tsup bundle).
 */
export const onnx: typeof OnnxNamespace = (createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace }).onnx;

export type { OnnxNamespace };

/** An int64 field as protobufjs decodes it: a number, or a `Long` (`{ low, high }`) when `long` is installed. */
export type ProtoInt64 = number | { toNumber(): number } | null | undefined;

/** Converts a decoded int64 field to a number (0 when absent). */
export function int64ToNumber(value: ProtoInt64): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
