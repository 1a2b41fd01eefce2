import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { int64ToNumber, onnx } from '../proto/onnx-proto.js';

/** Where Debian's `libonnx-testdata` puts the ONNX backend test models. */
export const onnxTestdataRoot = '/usr/share/libonnx-testdata/data';

/** Why tests on `libonnx-testdata` models are skipped here, or `null` when the package is installed. */
export const onnxTestdataSkipReason: string | null = existsSync(join(onnxTestdataRoot, 'pytorch-converted', 'test_Conv2d', 'model.onnx'))
  ? null
  : `Debian's libonnx-testdata is not installed (no ${onnxTestdataRoot}); apt-get install libonnx-testdata`;

/** Path of a test model, e.g. `testdataModel('pytorch-converted/test_Conv2d')`. */
export function testdataModel(name: string): string {
  return join(onnxTestdataRoot, name, 'model.onnx');
}

/** A float32 `TensorProto` of a test case (`test_data_set_0/input_0.pb`), decoded with onnx-proto. */
export function readTestdataTensor(name: string, file: string): { values: Float32Array; dims: number[] } {
  const tensor = onnx.TensorProto.decode(readFileSync(join(onnxTestdataRoot, name, 'test_data_set_0', file)));
  const dims = tensor.dims.map((size) => int64ToNumber(size));
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) throw new Error(`${name}/${file} is not float32 (data type ${tensor.dataType})`);
  const values =
    tensor.rawData && tensor.rawData.length > 0
      ? new Float32Array(tensor.rawData.buffer.slice(tensor.rawData.byteOffset, tensor.rawData.byteOffset + tensor.rawData.byteLength))
      : Float32Array.from(tensor.floatData);
  return { values, dims };
}
