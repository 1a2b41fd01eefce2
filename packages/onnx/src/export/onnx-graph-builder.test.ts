import { InferenceSession, Tensor } from 'onnxruntime-node';
import { InvalidArgumentError } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../__fixtures__/decode-model.js';
import { OnnxGraphBuilder } from './onnx-graph-builder.js';

describe('OnnxGraphBuilder', () => {
  it('writes a ModelProto that onnx-proto decodes and ONNX Runtime runs: y = reshape(x · W + b)', async () => {
    const graph = new OnnxGraphBuilder('affine');
    const input = graph.addInput('x', ['batch', 2]);
    const weight = graph.addFloatInitializer('w', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]); // [[1,2,3],[4,5,6]]
    const bias = graph.addFloatInitializer('b', Float32Array.of(0.5, -1, 2), [3]);
    const shape = graph.addInt64Initializer('shape', [0, 3, 1]);
    const affine = graph.addNode('Add', [graph.addNode('MatMul', [input, weight]), bias]);
    graph.addNode('Reshape', [affine, shape], {}, 'y');
    graph.addOutput('y', ['batch', 3, 1]);
    const bytes = graph.encode({ opsetVersion: 17, metadata: { purpose: 'test' } });

    const decoded = decodeModel(bytes);
    expect([decoded.irVersion, decoded.opsetVersion]).toEqual([8, 17]);
    expect([...decoded.initializers]).toEqual([
      ['w', [2, 3]],
      ['b', [3]],
      ['shape', [3]],
    ]);
    expect(decoded.inputs).toEqual([{ name: 'x', dims: ['batch', 2] }]);
    expect(decoded.metadata).toEqual({ purpose: 'test' });

    const session = await InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const result = await session.run({ x: new Tensor('float32', Float32Array.of(1, 1, 2, -1), [2, 2]) });
    await session.release();
    expect(result.y?.dims).toEqual([2, 3, 1]);
    // [1, 1]·W + b = [5.5, 6, 11]; [2, −1]·W + b = [−1.5, −2, 2]
    expect(Array.from(result.y?.data as Float32Array)).toEqual([5.5, 6, 11, -1.5, -2, 2]);
  });

  it('writes string, float, int and ints attributes that ONNX Runtime honours (Gelu tanh vs erf, opset 20)', async () => {
    const graph = new OnnxGraphBuilder('attributes');
    const input = graph.addInput('x', [3]);
    graph.addNode('Gelu', [input], { approximate: { string: 'tanh' } }, 'tanh_gelu');
    graph.addNode('Gelu', [input], {}, 'erf_gelu');
    graph.addOutput('tanh_gelu', [3]);
    graph.addOutput('erf_gelu', [3]);
    const session = await InferenceSession.create(graph.encode({ opsetVersion: 20 }), { logSeverityLevel: 3 });
    const values = [-1, 0.5, 2];
    const result = await session.run({ x: new Tensor('float32', Float32Array.from(values), [3]) });
    await session.release();
    const tanhGelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    // erf by its own series (no Math.erf in JS): erf(z) = 2/√π Σ (−1)^n z^(2n+1) / (n! (2n+1)).
    const erf = (z: number) => {
      let sum = 0;
      let term = z;
      for (let n = 0; n < 40; n++) {
        sum += term / (2 * n + 1);
        term *= (-z * z) / (n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const erfGelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    Array.from(result.tanh_gelu?.data as Float32Array).forEach((value, index) => expect(value).toBeCloseTo(tanhGelu(values[index] as number), 6));
    Array.from(result.erf_gelu?.data as Float32Array).forEach((value, index) => expect(value).toBeCloseTo(erfGelu(values[index] as number), 6));
    expect(tanhGelu(2)).not.toBeCloseTo(erfGelu(2), 4); // the two really differ at 2
  });

  it('refuses duplicate names, unknown node inputs, outputs nobody produces, and data of the wrong size', () => {
    const graph = new OnnxGraphBuilder('errors');
    graph.addInput('x', [2]);
    expect(() => graph.addInput('x', [2])).toThrow(/'x' is empty or already used/);
    expect(() => graph.addNode('Relu', ['missing'])).toThrow(/reads 'missing'/);
    expect(() => graph.addOutput('nothing', [2])).toThrow(InvalidArgumentError);
    expect(() => graph.addFloatInitializer('w', new Float32Array(5), [2, 3])).toThrow(/has 5 values, but dims \[2, 3\] hold 6/);
    expect(() => graph.encode({ opsetVersion: 11 })).toThrow(/integer ≥ 13/);
  });

  it('generates unique names that never collide with explicit ones', () => {
    const graph = new OnnxGraphBuilder('names');
    const input = graph.addInput('relu_1', [1]);
    const first = graph.addNode('Relu', [input]);
    const second = graph.addNode('Relu', [first]);
    expect(new Set([input, first, second]).size).toBe(3);
  });
});
