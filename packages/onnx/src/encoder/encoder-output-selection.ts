/**
 * Which model output becomes the understanding embeddings, and how it is read. The embeddings are always float32
 * `[batch, tokens, width]`.
 *
 * `name` may be a graph output or **any intermediate value** of the graph (a node output such as
 * `'blocks.2.output'` or `'/vision_model/encoder/layers.22/Add_1_output_0'`): intermediate values are exposed by
 * adding them to the graph's outputs before the session is created (models with external data files excepted).
 * Without `name`, the first graph output of the right rank is used.
 */
export type EncoderOutputSelection =
  /** Token sequences `[batch, tokens, width]` (ViT/CLIP/SigLIP `last_hidden_state`). */
  | {
      readonly type: 'patch-tokens';
      readonly name?: string;
      /**
       * Leading non-patch tokens to drop (CLIP's class token: 1; DINOv2 with registers: 5).
       * @default 0
       */
      readonly prefixTokens?: number;
    }
  /** One vector per image `[batch, width]` (CLIP `pooler_output`, image embeddings), read as one token. */
  | { readonly type: 'pooled'; readonly name?: string }
  /** A feature map `[batch, channels, height, width]` (CNN stages), read as `height · width` tokens of `channels`. */
  | { readonly type: 'feature-map'; readonly name?: string };
