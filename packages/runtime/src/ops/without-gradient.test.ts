import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { stopGradient } from './stop-gradient.js';
import { withoutGradient } from './without-gradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** A small "frozen encoder": several ops that would each save tensors on the tape. */
function encode(x: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.matMul(tf.relu(tf.matMul(x, weight)), weight));
}

describe('withoutGradient', () => {
  it("gives stopGradient's value and gradients without recording the computation", () => {
    const x = tf.tensor2d([[0.5, -1], [2, 0.25]]);
    const frozen = tf.tensor2d([[0.3, -0.7], [1.1, 0.4]]);
    const trainable = tf.variable(tf.tensor2d([[1, 2], [-0.5, 0.75]]));
    const loss = (features: () => tf.Tensor) => () => tf.sum(tf.mul(features(), tf.matMul(x, trainable))) as tf.Scalar;
    const stopped = tf.variableGrads(loss(() => stopGradient(encode(x, frozen))), [trainable]);
    const paused = tf.variableGrads(loss(() => withoutGradient(() => encode(x, frozen))), [trainable]);
    expect(Array.from(paused.value.dataSync())).toEqual(Array.from(stopped.value.dataSync()));
    expect(Array.from((paused.grads[trainable.name] as tf.Tensor).dataSync())).toEqual(Array.from((stopped.grads[trainable.name] as tf.Tensor).dataSync()));
    tf.dispose([x, frozen, trainable, stopped.value, paused.value, ...Object.values(stopped.grads), ...Object.values(paused.grads)]);
  });

  it('records nothing of the computation on the tape: no gradient reaches a variable used only inside', () => {
    const x = tf.tensor2d([[0.5, -1]]);
    const insideOnly = tf.variable(tf.tensor2d([[0.3, -0.7], [1.1, 0.4]]));
    const outside = tf.variable(tf.scalar(2));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(withoutGradient(() => encode(x, insideOnly)), outside)) as tf.Scalar, [insideOnly, outside]);
    expect(Object.keys(grads)).toEqual([outside.name]);
    // With stopGradient the encoder's ops are on the tape (its matMul and tanh save tensors); here they are not.
    const tapeLength = (features: () => tf.Tensor) => {
      const engine = tf.engine() as unknown as { state: { activeTape: unknown[] | null } };
      let length = 0;
      const recorded = tf.variableGrads(() => {
        const result = tf.sum(tf.mul(features(), outside)) as tf.Scalar;
        length = engine.state.activeTape?.length ?? 0;
        return result;
      }, [outside]);
      tf.dispose([recorded.value, ...Object.values(recorded.grads)]);
      return length;
    };
    expect(tapeLength(() => withoutGradient(() => encode(x, insideOnly)))).toBeLessThan(tapeLength(() => stopGradient(encode(x, insideOnly))) - 3);
    tf.dispose([x, insideOnly, outside, value, ...Object.values(grads)]);
  });

  it('leaves only its result behind', () => {
    const x = tf.tensor2d([[0.5, -1]]);
    const weight = tf.tensor2d([[0.3, -0.7], [1.1, 0.4]]);
    const before = tf.memory().numTensors;
    const result = withoutGradient(() => encode(x, weight));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, weight, result]);
  });
});
