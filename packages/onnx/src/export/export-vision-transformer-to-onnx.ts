import { InvalidArgumentError, type LayerNorm, type Linear, tf } from '@reca/runtime';
import { sincosPositionEmbedding2d, type Projector, type VisionTransformerEncoder } from '@reca/understanding';
import type { OnnxUnderstandingEncoderOptions } from '../encoder/onnx-understanding-encoder-options.js';
import { VERSION } from '../version.js';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';

/** Options of {@link exportVisionTransformerToOnnx}. */
export interface ExportVisionTransformerOptions {
  /**
   * The projector after the encoder (`UnderstandingStack.projector`): with it, the graph's `embeddings` output is
   * what `UnderstandingStack.encodeUnderstanding` returns; without it, the encoder's tokens.
   * @default none
   */
  projector?: Projector;
  /**
   * Square image size the graph reads. The sine-cosine positions of its grid are baked in, so any multiple of the
   * patch size the encoder accepts can be exported (e.g. RecA's bottleneck size); learned positions need the native
   * size.
   * @default encoder.config.imageSize
   */
  imageSize?: number;
  /** Layout of the graph's image input. @default 'nchw' (what PyTorch exports use) */
  inputLayout?: 'nchw' | 'nhwc';
  /**
   * - `'in-graph'`: the graph reads pixels in [0, 1] and applies the encoder's `pixelMean`/`pixelStd` itself.
   * - `'caller'`: the graph reads normalised pixels; the returned `encoderOptions.normalization` carries mean/std.
   * @default 'in-graph'
   */
  normalization?: 'in-graph' | 'caller';
  /** Which hidden states are the tokens. @default encoder.config.outputLayer */
  outputLayer?: 'last' | 'penultimate';
  /**
   * GELU as `0.5·x·(1 + Erf(x/√2))` (any opset), or ONNX's `Gelu` operator (opset 20).
   * @default 'erf-decomposition'
   */
  gelu?: 'erf-decomposition' | 'gelu-operator';
  /**
   * Layer norm as ONNX's `LayerNormalization` operator (opset 17), or decomposed into
   * `ReduceMean`/`Sub`/`Mul`/`Sqrt`/`Div` (opset 13).
   * @default 'operator'
   */
  layerNorm?: 'operator' | 'decomposition';
  /** Batch dimension of the input: symbolic (`'batch'`, any size) or fixed. @default 'dynamic' */
  batchSize?: number | 'dynamic';
  /** Name of the image input. @default 'pixel_values' */
  inputName?: string;
}

/** What {@link exportVisionTransformerToOnnx} returns. */
export interface VisionTransformerOnnxExport {
  /** The serialised `ModelProto`. */
  readonly bytes: Uint8Array;
  /** The `ai.onnx` opset the graph uses (13, 17 or 20, from the operators chosen). */
  readonly opsetVersion: number;
  /** Tokens per image: `(imageSize / patchSize)²`. */
  readonly tokens: number;
  /** Width of the `embeddings` output (the projector's output width when a projector is exported). */
  readonly width: number;
  /**
   * Graph outputs: `embeddings` float32 `[batch, tokens, width]` and `pooled` float32 `[batch, width]` (mean over
   * tokens). Intermediate values carry stable names: `patch_embeddings`, `blocks.N.output`, `encoder_tokens`.
   */
  readonly outputNames: { readonly embeddings: 'embeddings'; readonly pooled: 'pooled' };
  /** The options that make an {@link OnnxUnderstandingEncoder} read this model as the tfjs encoder reads images. */
  readonly encoderOptions: Required<Pick<OnnxUnderstandingEncoderOptions, 'inputName' | 'inputLayout' | 'inputSize' | 'normalization' | 'output'>>;
}

/**
 * Exports `@reca/understanding`'s {@link VisionTransformerEncoder} (optionally with its {@link Projector}) to an ONNX
 * model built with `onnx-proto`, with the current tfjs weights as initializers, so that a frozen encoder runs in ONNX
 * Runtime during RecA (see `OnnxUnderstandingEncoder`).
 *
 * Graph: (`Transpose` NHWC→NCHW) → `Sub`/`Div` normalisation → patch embedding as `Conv` (kernel = stride = patch;
 * the timm weight `[width, C, p, p]` is already in ONNX's OIHW layout) → `Reshape`/`Transpose` to tokens → `Add`
 * positions → per block: `LayerNormalization`, fused-QKV `MatMul`/`Add`, `Reshape`/`Transpose`/`Gather` into heads,
 * `MatMul`·scale → `Softmax` → `MatMul`, output projection, residual `Add`, MLP with GELU, residual `Add` → final
 * `LayerNormalization` → (projector) → `embeddings`, and `ReduceMean` over tokens → `pooled`.
 *
 * The weights are read once (host copies); later training of the tfjs encoder does not change the exported model.
 *
 * @param encoder - the tfjs encoder (any configuration: sine-cosine or learned positions, last or penultimate output).
 * @returns the model bytes and the encoder options that read it.
 * @throws InvalidArgumentError for an image size the encoder cannot read, a fixed batch size that is not a positive
 *   integer, or a projector whose input width differs from the encoder's width or whose activation has no export.
 */
export function exportVisionTransformerToOnnx(encoder: VisionTransformerEncoder, options: ExportVisionTransformerOptions = {}): VisionTransformerOnnxExport {
  const { config } = encoder;
  const {
    projector,
    imageSize = config.imageSize,
    inputLayout = 'nchw',
    normalization = 'in-graph',
    outputLayer = config.outputLayer,
    gelu = 'erf-decomposition',
    layerNorm = 'operator',
    batchSize = 'dynamic',
    inputName = 'pixel_values',
  } = options;
  const { patchSize, inChannels, width, depth, numHeads } = config;
  const learned = encoder.positionEmbedding !== null;
  if (!Number.isInteger(imageSize) || imageSize <= 0 || imageSize % patchSize !== 0 || (learned && imageSize !== config.imageSize)) {
    throw new InvalidArgumentError({
      argument: 'imageSize',
      message: learned
        ? `must be the native ${config.imageSize} px with learned position embeddings, got ${imageSize}`
        : `must be a positive multiple of the patch size ${patchSize}, got ${imageSize}`,
    });
  }
  if (batchSize !== 'dynamic' && (!Number.isInteger(batchSize) || batchSize <= 0)) {
    throw new InvalidArgumentError({ argument: 'batchSize', message: `must be 'dynamic' or a positive integer, got ${batchSize}` });
  }
  if (outputLayer === 'penultimate' && depth < 2) {
    throw new InvalidArgumentError({ argument: 'outputLayer', message: `'penultimate' needs depth ≥ 2, got depth ${depth}` });
  }
  if (projector && projector.inFeatures !== width) {
    throw new InvalidArgumentError({ argument: 'projector', message: `reads width ${projector.inFeatures}, but the encoder's tokens have width ${width}` });
  }
  if (projector && !['gelu', 'gelu-tanh', 'relu', 'silu', 'identity'].includes(projector.activation)) {
    throw new InvalidArgumentError({ argument: 'projector', message: `activation '${projector.activation}' has no ONNX export` });
  }
  const opsetVersion = gelu === 'gelu-operator' ? 20 : layerNorm === 'operator' ? 17 : 13;
  const grid = imageSize / patchSize;
  const tokens = grid * grid;
  const headDim = width / numHeads;
  const graph = new OnnxGraphBuilder('reca_vision_transformer');
  const batchDimension = batchSize === 'dynamic' ? 'batch' : batchSize;

  const ops = graphOperations(graph, opsetVersion, gelu, layerNorm);

  // Image input → NCHW, normalised.
  let pixels = graph.addInput(
    inputName,
    inputLayout === 'nchw' ? [batchDimension, inChannels, imageSize, imageSize] : [batchDimension, imageSize, imageSize, inChannels],
  );
  if (inputLayout === 'nhwc') pixels = graph.addNode('Transpose', [pixels], { perm: { ints: [0, 3, 1, 2] } }); // [b, C, H, W]
  if (normalization === 'in-graph') {
    const mean = graph.addFloatInitializer('pixel_mean', Float32Array.from(config.pixelMean), [1, inChannels, 1, 1]);
    const std = graph.addFloatInitializer('pixel_std', Float32Array.from(config.pixelStd), [1, inChannels, 1, 1]);
    pixels = graph.addNode('Div', [graph.addNode('Sub', [pixels, mean]), std], {}, 'normalized_pixels');
  }

  // Patch embedding: Conv with kernel = stride = patch, then [b, width, g, g] → [b, g·g, width].
  const patchWeight = graph.addFloatInitializer('patch_embed.proj.weight', hostValues(encoder.patchEmbedding.weight), [width, inChannels, patchSize, patchSize]);
  const patchBias = graph.addFloatInitializer('patch_embed.proj.bias', hostValues(encoder.patchEmbedding.bias), [width]);
  const convolved = graph.addNode('Conv', [pixels, patchWeight, patchBias], {
    kernel_shape: { ints: [patchSize, patchSize] },
    strides: { ints: [patchSize, patchSize] },
  });
  const flattened = graph.addNode('Reshape', [convolved, graph.addInt64Initializer('patch_grid_shape', [0, width, tokens])]);
  const patches = graph.addNode('Transpose', [flattened], { perm: { ints: [0, 2, 1] } }, 'patch_embeddings'); // [b, N, width]
  const positionValues = learned
    ? hostValues(encoder.positionEmbedding as tf.Variable)
    : sincosPositionEmbedding2d(width, grid, grid, { coordinateScale: config.positionScale === 'native-extent' ? encoder.nativeGridSize / grid : 1 });
  let hidden = graph.addNode('Add', [patches, graph.addFloatInitializer(learned ? 'pos_embed' : 'sincos_pos_embed', positionValues, [1, tokens, width])]);

  // Transformer blocks.
  const attentionScale = graph.addScalar('attention_scale', 1 / Math.sqrt(headDim));
  const headsShape = graph.addInt64Initializer('qkv_heads_shape', [0, tokens, 3, numHeads, headDim]);
  const mergedShape = graph.addInt64Initializer('merged_heads_shape', [0, tokens, width]);
  const indices = [0, 1, 2].map((index) => graph.addInt64Initializer(`qkv_index_${index}`, [index], []));
  const blockCount = outputLayer === 'penultimate' ? depth - 1 : depth;
  for (let index = 0; index < blockCount; index++) {
    const block = encoder.blocks.at(index);
    const attention = block?.attention;
    if (!block || !attention?.fusedQueryKeyValue || attention.queryNorm || attention.keyNorm) {
      throw new InvalidArgumentError({ argument: 'encoder', message: `block ${index} is not a fused-qkv attention block without q/k norms` });
    }
    const prefix = `blocks.${index}`;
    const normalizedForAttention = ops.layerNorm(hidden, block.norm1, `${prefix}.norm1`);
    const qkv = ops.linear(normalizedForAttention, attention.fusedQueryKeyValue, `${prefix}.attn.qkv`); // [b, N, 3·width]
    const split = graph.addNode('Transpose', [graph.addNode('Reshape', [qkv, headsShape])], { perm: { ints: [2, 0, 3, 1, 4] } }); // [3, b, heads, N, hd]
    const [query, key, value] = indices.map((indexName) => graph.addNode('Gather', [split, indexName], { axis: { int: 0 } })); // [b, heads, N, hd]
    const keyTransposed = graph.addNode('Transpose', [key], { perm: { ints: [0, 1, 3, 2] } });
    const scores = graph.addNode('Mul', [graph.addNode('MatMul', [query, keyTransposed]), attentionScale]); // [b, heads, N, N]
    const weights = graph.addNode('Softmax', [scores], { axis: { int: -1 } });
    const attended = graph.addNode('MatMul', [weights, value]); // [b, heads, N, hd]
    const merged = graph.addNode('Reshape', [graph.addNode('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]); // [b, N, width]
    const afterAttention = graph.addNode('Add', [hidden, ops.linear(merged, attention.output, `${prefix}.attn.proj`)]);
    const normalizedForMlp = ops.layerNorm(afterAttention, block.norm2, `${prefix}.norm2`);
    const expanded = ops.activation(ops.linear(normalizedForMlp, block.mlp.fc1, `${prefix}.mlp.fc1`), block.mlp.activation);
    hidden = graph.addNode('Add', [afterAttention, ops.linear(expanded, block.mlp.fc2, `${prefix}.mlp.fc2`)], {}, `${prefix}.output`);
  }
  hidden = graph.addNode('Identity', [outputLayer === 'penultimate' ? hidden : ops.layerNorm(hidden, encoder.norm, 'norm')], {}, 'encoder_tokens');

  let outputWidth = width;
  if (projector) {
    const first = ops.linear(hidden, projector.first, 'projector.0');
    hidden = ops.linear(ops.activation(first, projector.activation), projector.second, 'projector.2');
    outputWidth = projector.outFeatures;
  }
  const embeddings = graph.addNode('Identity', [hidden], {}, 'embeddings');
  ops.reduceMeanOverTokens(embeddings, 'pooled');
  graph.addOutput('embeddings', [batchDimension, tokens, outputWidth]);
  graph.addOutput('pooled', [batchDimension, outputWidth]);

  const bytes = graph.encode({
    opsetVersion,
    producerVersion: VERSION,
    docString: `@reca/understanding VisionTransformerEncoder${projector ? ' + Projector' : ''} (${imageSize} px, patch ${patchSize}, width ${width}, depth ${depth}, ${outputLayer})`,
    metadata: {
      'reca.image_size': String(imageSize),
      'reca.input_layout': inputLayout,
      'reca.normalization': normalization,
      'reca.pixel_mean': JSON.stringify(config.pixelMean),
      'reca.pixel_std': JSON.stringify(config.pixelStd),
      'reca.output_layer': outputLayer,
    },
  });
  return {
    bytes,
    opsetVersion,
    tokens,
    width: outputWidth,
    outputNames: { embeddings: 'embeddings', pooled: 'pooled' },
    encoderOptions: {
      inputName,
      inputLayout,
      inputSize: imageSize,
      normalization: normalization === 'in-graph' ? {} : { valueRange: [0, 1], mean: [...config.pixelMean], std: [...config.pixelStd] },
      output: { type: 'patch-tokens', name: 'embeddings' },
    },
  };
}

/** A host copy of a variable's values (float32, row-major). */
function hostValues(variable: tf.Variable | tf.Tensor): Float32Array {
  return Float32Array.from(variable.dataSync());
}

/** `[out, in]` → `[in, out]` on the host, so that `MatMul(x, Wᵀ)` needs no Transpose node. */
function transposed(values: Float32Array, rows: number, columns: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) result[column * rows + row] = values[row * columns + column] as number;
  return result;
}

/** The composite operations of the export, written once for the chosen opset and decompositions. */
function graphOperations(
  graph: OnnxGraphBuilder,
  opsetVersion: number,
  gelu: 'erf-decomposition' | 'gelu-operator',
  layerNormMode: 'operator' | 'decomposition',
) {
  const constants = new Map<number, string>();
  const scalar = (value: number): string => {
    let name = constants.get(value);
    if (!name) {
      name = graph.addScalar('constant', value);
      constants.set(value, name);
    }
    return name;
  };
  /** ReduceMean keeping or dropping `axes` (attribute up to opset 17, input from opset 18). */
  const reduceMean = (input: string, axes: readonly number[], keepDimensions: boolean, outputName?: string): string =>
    opsetVersion >= 18
      ? graph.addNode('ReduceMean', [input, graph.addInt64Initializer(graph.uniqueName('axes'), axes)], { keepdims: { int: keepDimensions ? 1 : 0 } }, outputName)
      : graph.addNode('ReduceMean', [input], { axes: { ints: axes }, keepdims: { int: keepDimensions ? 1 : 0 } }, outputName);

  return {
    /** `x · Wᵀ + b` with the weight transposed on the host. */
    linear(input: string, layer: Linear, name: string): string {
      const weight = graph.addFloatInitializer(`${name}.weight_transposed`, transposed(hostValues(layer.weight), layer.outFeatures, layer.inFeatures), [
        layer.inFeatures,
        layer.outFeatures,
      ]);
      const product = graph.addNode('MatMul', [input, weight]);
      if (!layer.bias) return product;
      return graph.addNode('Add', [product, graph.addFloatInitializer(`${name}.bias`, hostValues(layer.bias), [layer.outFeatures])]);
    },
    /** Layer norm over the last axis (biased variance, ε inside the square root). */
    layerNorm(input: string, norm: LayerNorm, name: string): string {
      const size = norm.normalizedShape;
      const weight = graph.addFloatInitializer(`${name}.weight`, norm.weight ? hostValues(norm.weight) : new Float32Array(size).fill(1), [size]);
      const bias = graph.addFloatInitializer(`${name}.bias`, norm.bias ? hostValues(norm.bias) : new Float32Array(size), [size]);
      if (layerNormMode === 'operator') {
        return graph.addNode('LayerNormalization', [input, weight, bias], { axis: { int: -1 }, epsilon: { float: norm.epsilon } });
      }
      const centered = graph.addNode('Sub', [input, reduceMean(input, [-1], true)]);
      const variance = reduceMean(graph.addNode('Mul', [centered, centered]), [-1], true);
      const deviation = graph.addNode('Sqrt', [graph.addNode('Add', [variance, scalar(norm.epsilon)])]);
      return graph.addNode('Add', [graph.addNode('Mul', [graph.addNode('Div', [centered, deviation]), weight]), bias]);
    },
    /** The activations of `@reca/runtime`'s `applyActivation` that ViT MLPs and projectors use. */
    activation(input: string, name: string): string {
      switch (name) {
        case 'gelu':
        case 'gelu-tanh': {
          const tanh = name === 'gelu-tanh';
          if (gelu === 'gelu-operator') return graph.addNode('Gelu', [input], { approximate: { string: tanh ? 'tanh' : 'none' } });
          let inner: string;
          if (tanh) {
            const cubic = graph.addNode('Mul', [graph.addNode('Mul', [graph.addNode('Mul', [input, input]), input]), scalar(0.044715)]);
            inner = graph.addNode('Tanh', [graph.addNode('Mul', [graph.addNode('Add', [input, cubic]), scalar(Math.sqrt(2 / Math.PI))])]);
          } else {
            inner = graph.addNode('Erf', [graph.addNode('Mul', [input, scalar(Math.SQRT1_2)])]);
          }
          return graph.addNode('Mul', [graph.addNode('Mul', [input, scalar(0.5)]), graph.addNode('Add', [inner, scalar(1)])]);
        }
        case 'relu':
          return graph.addNode('Relu', [input]);
        case 'silu':
          return graph.addNode('Mul', [input, graph.addNode('Sigmoid', [input])]);
        case 'identity':
          return graph.addNode('Identity', [input]);
        default:
          throw new InvalidArgumentError({ argument: 'activation', message: `'${name}' has no ONNX export` });
      }
    },
    /** Mean over the token axis: `[b, N, w]` → `[b, w]`. */
    reduceMeanOverTokens(input: string, outputName: string): string {
      return reduceMean(input, [1], false, outputName);
    },
  };
}
