import { type Module, type SeededRandom, tf } from '@reca/runtime';

/**
 * Gives every parameter of `module` random values (normal around 1 for norm scales, around 0 otherwise), so that a
 * numerical comparison exercises every weight, bias and norm parameter (freshly initialised biases are all zero and
 * norm scales all one, which would hide a dropped or misplaced bias).
 */
export function randomizeWeights(module: Module, random: SeededRandom, standardDeviation = 0.2): void {
  for (const [name, variable] of module.namedParameters()) {
    const isNormScale = /norm\d*\.weight$/.test(name);
    const values = random.normalArray(variable.size, isNormScale ? 1 : 0, standardDeviation);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
  }
}
