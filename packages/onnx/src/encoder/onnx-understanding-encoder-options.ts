import type { OnnxExecutionProvider } from '../session/execution-provider.js';
import type { EncoderNormalization } from './encoder-normalization.js';
import type { EncoderOutputSelection } from './encoder-output-selection.js';

/** Layout of the model's image input: PyTorch/Hugging Face exports use `'nchw'`, TensorFlow exports `'nhwc'`. */
export type EncoderInputLayout = 'nchw' | 'nhwc';

/** Options of {@link OnnxUnderstandingEncoder.create}. */
export interface OnnxUnderstandingEncoderOptions {
  /** The model: a path to an `.onnx` file, or its bytes. */
  model: string | Uint8Array;
  /** Name of the model in errors and reports. @default the path, or `'<in-memory model>'` for bytes */
  modelName?: string;
  /** Where ONNX Runtime runs the model. @default 'cpu' */
  executionProvider?: OnnxExecutionProvider;
  /** The model's image input. @default its only input (a model with several inputs must name it) */
  inputName?: string;
  /** Layout of the image input. @default 'nchw' */
  inputLayout?: EncoderInputLayout;
  /**
   * The input size (pixels) the model reads; images must have it (or be resized, see `resize`). Checked against the
   * model's fixed input dimensions.
   * @default the model's fixed height and width (required when they are symbolic)
   */
  inputSize?: number | { readonly height: number; readonly width: number };
  /** Channels of the image input. @default 3 */
  channels?: number;
  /** Pixel normalisation applied before the model. @default identity ({ valueRange: [0, 1], mean 0, std 1 }) */
  normalization?: EncoderNormalization;
  /** What to do with images of another size than `inputSize`: refuse them, or resize them bilinearly. @default 'none' */
  resize?: 'none' | 'bilinear';
  /** Which output is the understanding embedding. @default { type: 'patch-tokens' } */
  output?: EncoderOutputSelection;
  /**
   * Most images per ONNX Runtime run; larger batches are split and the results concatenated. A model with a fixed
   * batch dimension always runs in batches of exactly that size (the last one padded, padding dropped).
   * @default 32 (or the model's fixed batch size)
   */
  maxBatchSize?: number;
  /** Threads ONNX Runtime's CPU provider uses inside one operator. @default ONNX Runtime's choice (the core count) */
  intraOpThreads?: number;
  /** ONNX Runtime log severity: 0 verbose … 4 fatal. @default 3 (errors only) */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}
