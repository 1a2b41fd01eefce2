import { OnnxModelMismatchError } from '../errors/onnx-model-mismatch-error.js';
import { onnx } from '../proto/onnx-proto.js';

/**
 * Adds an intermediate value of a model's main graph to its outputs, so ONNX Runtime can fetch it (it only returns
 * graph outputs). The value keeps its element type (float32 declared; the shape is left to ONNX Runtime's inference).
 *
 * @param bytes - the serialised `ModelProto`.
 * @param valueName - a node output of the main graph (not of a subgraph).
 * @param modelName - for errors.
 * @returns the serialised model with `valueName` as an extra graph output (the input bytes are not changed).
 * @throws OnnxModelMismatchError when no node produces `valueName` (lists a few value names the graph has), or when
 *   the model keeps weights in external data files (it must then be loaded from its path, unmodified).
 */
export function exposeIntermediateOutput(bytes: Uint8Array, valueName: string, modelName: string): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  const produced = (graph?.node ?? []).flatMap((node) => node.output ?? []);
  if (!graph || !produced.includes(valueName)) {
    const sample = produced.slice(-8).map((name) => `'${name}'`).join(', ');
    throw new OnnxModelMismatchError({
      modelName,
      tensorName: valueName,
      expected: 'a graph output or a value produced by a node of the main graph',
      actual: `no such value (the graph has ${produced.length} node outputs${sample ? `, the last ones ${sample}` : ''})`,
    });
  }
  const external = (graph.initializer ?? []).find((tensor) => tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
  if (external) {
    throw new OnnxModelMismatchError({
      modelName,
      tensorName: valueName,
      expected: 'a model with its weights inside the file, to expose an intermediate value',
      actual: `initializer '${external.name}' stored in an external data file`,
      hint: 'Re-save the model with its data embedded (onnx.save(model, path, save_as_external_data=False)) or add the value to its outputs when exporting',
    });
  }
  graph.output = [...(graph.output ?? []), onnx.ValueInfoProto.create({ name: valueName, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } })];
  return onnx.ModelProto.encode(model).finish();
}
