/**
 * The one TensorFlow.js every RecA-TS package uses. `@tensorflow/tfjs` is the union package: unlike tfjs-core alone it
 * registers gradients and chained ops in plain Node. Import `tf` from `@reca/runtime`, never from `@tensorflow/*`,
 * so only one copy of the engine (and its kernel registry) exists in a process.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Scalar, Variable, Rank, NamedTensorMap, DataType } from '@tensorflow/tfjs';
