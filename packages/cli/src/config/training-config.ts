import { z } from 'zod';
import { modelFamilies } from '../models/model-family.js';

const count = (minimum: number) => z.number().int().min(minimum);

/**
 * Micro-batches per optimizer step, by source (Harmon's fixed-batch multi-source sampling: each micro-batch comes
 * from one source; a step averages their gradients). Unset fields take the stage's defaults (see
 * `resolveTrainingPlan`).
 */
export const mixSchema = z
  .object({
    /** RecA: regenerate an image from its own (bottlenecked) understanding embeddings. */
    reconstruction: count(0).optional(),
    /** Understanding: image → dense caption. */
    imageToText: count(0).optional(),
    /** Generation: sparse caption → image. */
    textToImage: count(0).optional(),
    /** Contrastive alignment of an image's understanding condition with its dense caption's condition. */
    alignment: count(0).optional(),
  })
  .strict();

/**
 * A `reca pretrain` / `reca posttrain` configuration, as written in a JSON or YAML file (every field optional except
 * where the stage needs it; command-line flags override the file).
 */
export const trainingConfigSchema = z
  .object({
    /** pretrain: the family of the model to create. posttrain: checked against the checkpoint when given. */
    family: z.enum(modelFamilies).optional(),
    /** pretrain: the size preset. @default 'tiny' */
    preset: z.string().min(1).default('tiny'),
    /** pretrain: fields replacing the preset's (the adapter's override object). @default {} */
    modelOverrides: z.record(z.string(), z.unknown()).default({}),
    /** posttrain: the model checkpoint to start from (path relative to the config file's folder or the cwd). */
    checkpoint: z.string().min(1).optional(),
    /** posttrain: `reca` (reconstruction, the RecA mix) or `control` (the same steps of the pretraining mix). @default 'reca' */
    arm: z.enum(['reca', 'control']).default('reca'),
    /** Seed of the weights (pretrain), of recaStep's draws and of the batch order. @default 0 */
    seed: count(0).default(0),
    /** Optimizer steps. @default 1000 (pretrain), 300 (posttrain) */
    steps: count(1).optional(),
    /** Images per micro-batch. @default 16 */
    batchSize: count(2).default(16),
    /** Built-in ShapesWorld data: scenes 0 … count−1 of dataset `seed`. */
    data: z
      .object({ count: count(2).default(4000), seed: count(0).default(0), imageSize: count(11).optional() })
      .strict()
      .prefault({}),
    /** Micro-batches per step by source. */
    mix: mixSchema.prefault({}),
    /**
     * The understanding side during this run: `shared` (trainable; pretraining and the control arm), `frozen`, or
     * unset for the model's own (pretrain: shared while training, saved in the preset's mode; posttrain reca: the
     * checkpoint's; posttrain control: shared, as in pretraining).
     */
    understandingMode: z.enum(['shared', 'frozen']).optional(),
    /** pretrain: the image codec (VQ tokenizer / autoencoder) trained before the generator, where the model has one. */
    imageCodec: z
      .object({ steps: count(0).default(400), batchSize: count(1).default(16) })
      .strict()
      .prefault({}),
    /**
     * recaStep's configuration (`RecaConfigInput` of @reca/core: optimizer, schedule, lossWeights, conditionDropout,
     * bottleneck, …); merged over the stage's defaults and validated by @reca/core.
     */
    reca: z.record(z.string(), z.unknown()).default({}),
    /** Save a training checkpoint every N steps (and at the end, and on Ctrl-C). @default 100 */
    checkpointEvery: count(1).default(100),
    /** Print a progress line every N steps when the output is not a terminal. @default 25 */
    logEvery: count(1).default(25),
  })
  .strict();

/** A training configuration as written (fields optional). */
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;
/** A training configuration with the schema's defaults. */
export type TrainingConfig = z.output<typeof trainingConfigSchema>;
