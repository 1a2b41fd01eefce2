/** Safetensors files (spec-exact reader and writer) and RecA-TS training checkpoints built on them. */
export {
  SAFETENSORS_DTYPES,
  SAFETENSORS_DTYPE_BYTE_SIZE,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsTensor,
  type SafetensorsTensorInfo,
} from './safetensors-dtype.js';
export {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ArrayToHalfBits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  halfBitsToFloat32Array,
} from './half-precision.js';
export { SAFETENSORS_METADATA_KEY, encodeSafetensors, type SafetensorsTensorCollection } from './encode-safetensors.js';
export {
  SAFETENSORS_MAX_HEADER_BYTES,
  decodeSafetensors,
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
  type DecodeSafetensorsOptions,
  type DecodedSafetensors,
  type SafetensorsHeader,
} from './decode-safetensors.js';
export { readSafetensorsFile, readSafetensorsHeader, writeSafetensorsFile } from './safetensors-file.js';
export { writeFileAtomically } from './write-file-atomically.js';
export { tensorToSafetensors, tensorsToSafetensors, type TensorsToSafetensorsOptions } from './tensors-to-safetensors.js';
export { safetensorsToTensors } from './safetensors-to-tensors.js';
export { assertJsonValue, type JsonValue } from './json-value.js';
export {
  TRAINING_CHECKPOINT_FORMAT,
  TRAINING_CHECKPOINT_FORMAT_VERSION,
  TRAINING_CHECKPOINT_LIBRARY,
  MODEL_TENSOR_PREFIX,
  OPTIMIZER_TENSOR_PREFIX,
  EXTRA_METADATA_PREFIX,
  parseTrainingCheckpointMetadata,
  type TrainingCheckpointMetadata,
  type TrainingCheckpointSummary,
} from './training-checkpoint-format.js';
export { saveTrainingCheckpoint, type TrainingCheckpointInput } from './save-training-checkpoint.js';
export { loadTrainingCheckpoint, type TrainingCheckpoint } from './load-training-checkpoint.js';
export { readCheckpointMetadata } from './read-checkpoint-metadata.js';
export {
  saveModelCheckpoint,
  loadModelCheckpoint,
  readModelCheckpointInfo,
  MODEL_CHECKPOINT_FORMAT,
  MODEL_CHECKPOINT_FORMAT_VERSION,
  type ModelCheckpoint,
  type ModelCheckpointInfo,
} from './model-checkpoint.js';
