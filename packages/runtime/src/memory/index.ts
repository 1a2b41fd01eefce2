export { measureTensorLeak, assertNoTensorLeak, TensorLeakError, type TensorLeakMeasurement } from './measure-tensor-leak.js';
