import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { SeededRandom } from '../../random/seeded-random.js';
import { useBackend } from '../use-backend.js';
import { registerGradientFixes, unregisterGradientFixes } from './register-gradient-fixes.js';
import { bilinearInterpolationMatrix, nearestInterpolationMatrix } from './resize-interpolation-matrix.js';

const maxAbsDifference = (actual: ArrayLike<number>, expected: ArrayLike<number>): number =>
  Math.max(...Array.from(expected, (value, index) => Math.abs((actual[index] as number) - value)));

beforeAll(async () => {
  await useBackend('cpu');
});

describe('resize gradient fixes', () => {
  const configurations = [
    { inSize: [4, 5], outSize: [9, 7], alignCorners: false, halfPixelCenters: true },
    { inSize: [4, 5], outSize: [9, 7], alignCorners: false, halfPixelCenters: false },
    { inSize: [8, 6], outSize: [3, 4], alignCorners: false, halfPixelCenters: true },
    { inSize: [5, 4], outSize: [8, 10], alignCorners: true, halfPixelCenters: false },
  ] as const;
  for (const method of ['bilinear', 'nearest'] as const) {
    for (const { inSize, outSize, alignCorners, halfPixelCenters } of configurations) {
      const label = `${method} ${inSize.join('x')} → ${outSize.join('x')} alignCorners=${alignCorners} halfPixelCenters=${halfPixelCenters}`;
      const resize = (images: tf.Tensor): tf.Tensor =>
        method === 'bilinear'
          ? tf.image.resizeBilinear(images as tf.Tensor4D, [...outSize], alignCorners, halfPixelCenters)
          : tf.image.resizeNearestNeighbor(images as tf.Tensor4D, [...outSize], alignCorners, halfPixelCenters);

      it(`${label}: gradient equals the transpose of the forward map (probed with basis images)`, async () => {
        const random = new SeededRandom(label);
        const imageShape = [1, inSize[0], inSize[1], 2];
        const size = imageShape.reduce((product, dimension) => product * dimension, 1);
        const cotangent = random.normalTensor([1, outSize[0], outSize[1], 2]);
        const image = random.normalTensor(imageShape);
        const gradient = tf.grad((images: tf.Tensor) => tf.sum(tf.mul(resize(images), cotangent)))(image);
        // Independent reference: d/dx_i Σ resize(x)·c = Σ resize(e_i)·c, since resizing is linear.
        const expected = new Float32Array(size);
        for (let index = 0; index < size; index++) {
          const basis = new Float32Array(size);
          basis[index] = 1;
          expected[index] = tf.tidy(() => tf.sum(tf.mul(resize(tf.tensor(basis, imageShape)), cotangent)).dataSync()[0] as number);
        }
        expect(gradient.shape).toEqual(imageShape);
        expect(maxAbsDifference(await gradient.data(), expected)).toBeLessThan(1e-5);
        tf.dispose([cotangent, image, gradient]);
      });

      it(`${label}: interpolation matrices reproduce the forward op`, async () => {
        const build = method === 'bilinear' ? bilinearInterpolationMatrix : nearestInterpolationMatrix;
        const rows = build(inSize[0], outSize[0], alignCorners, halfPixelCenters);
        const columns = build(inSize[1], outSize[1], alignCorners, halfPixelCenters);
        const image = new SeededRandom(`${label}/forward`).normalArray(inSize[0] * inSize[1]);
        const forward = tf.tidy(() => resize(tf.tensor(image, [1, inSize[0], inSize[1], 1])).dataSync());
        const expected = new Float32Array(outSize[0] * outSize[1]);
        for (let outRow = 0; outRow < outSize[0]; outRow++) {
          for (let outColumn = 0; outColumn < outSize[1]; outColumn++) {
            let sum = 0;
            for (let inRow = 0; inRow < inSize[0]; inRow++) {
              for (let inColumn = 0; inColumn < inSize[1]; inColumn++) {
                sum +=
                  (rows[outRow * inSize[0] + inRow] as number) *
                  (columns[outColumn * inSize[1] + inColumn] as number) *
                  (image[inRow * inSize[1] + inColumn] as number);
              }
            }
            expected[outRow * outSize[1] + outColumn] = sum;
          }
        }
        expect(maxAbsDifference(forward, expected)).toBeLessThan(1e-5);
      });
    }
  }

  it("tfjs's own ResizeBilinear gradient is wrong with halfPixelCenters (why the fix exists)", () => {
    unregisterGradientFixes();
    try {
      const ones = tf.ones([1, 8, 8, 1]);
      const gradient = tf.grad((images: tf.Tensor) => tf.sum(tf.image.resizeBilinear(images as tf.Tensor4D, [3, 3], false, true)))(ones);
      // Half-pixel sampling of 8 → 3 is symmetric, so the gradient must be too; the stock one is not.
      const values = gradient.dataSync();
      expect(Math.abs((values[0] as number) - (values[63] as number))).toBeGreaterThan(0.1);
      tf.dispose([ones, gradient]);
    } finally {
      registerGradientFixes();
    }
  });
});

describe('cumsum gradient fix', () => {
  for (const [axis, exclusive, reverse] of [
    [0, false, false],
    [1, true, false],
    [-1, false, true],
    [1, true, true],
  ] as const) {
    it(`axis ${axis} exclusive=${exclusive} reverse=${reverse} matches a loop reference`, async () => {
      const random = new SeededRandom(`cumsum ${axis} ${exclusive} ${reverse}`);
      const shape = [3, 4, 5];
      const x = random.normalTensor(shape);
      const cotangent = random.normalTensor(shape);
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.cumsum(input, axis, exclusive, reverse), cotangent)))(x);
      // d/dx[j] Σ_i c[i]·cumsum(x)[i] = Σ_{i: j contributes to i} c[i] along the axis.
      const c = await cotangent.data();
      const positiveAxis = axis < 0 ? axis + 3 : axis;
      const strides = [20, 5, 1];
      const expected = new Float32Array(60);
      for (let flat = 0; flat < 60; flat++) {
        const coordinate = [Math.floor(flat / 20), Math.floor(flat / 5) % 4, flat % 5];
        const position = coordinate[positiveAxis] as number;
        let sum = 0;
        for (let other = 0; other < (shape[positiveAxis] as number); other++) {
          const contributes = reverse
            ? exclusive ? position > other : position >= other
            : exclusive ? position < other : position <= other;
          if (contributes) sum += c[flat + (other - position) * (strides[positiveAxis] as number)] as number;
        }
        expected[flat] = sum;
      }
      expect(maxAbsDifference(await gradient.data(), expected)).toBeLessThan(1e-5);
      tf.dispose([x, cotangent, gradient]);
    });
  }
});

describe('broadcast gradient fixes', () => {
  it('maximum/minimum/squaredDifference with broadcasting match loop references', async () => {
    const random = new SeededRandom('broadcast gradients');
    const a = random.normalTensor([2, 3]);
    const b = random.normalTensor([3]);
    const [aValues, bValues] = [await a.data(), await b.data()];
    const [maximumA, maximumB] = tf.grads((left: tf.Tensor, right: tf.Tensor) => tf.sum(tf.maximum(left, right)))([a, b]);
    const [minimumA, minimumB] = tf.grads((left: tf.Tensor, right: tf.Tensor) => tf.sum(tf.minimum(left, right)))([a, b]);
    const [squaredA, squaredB] = tf.grads((left: tf.Tensor, right: tf.Tensor) => tf.sum(tf.squaredDifference(left, right)))([a, b]);
    const expected = {
      maximumA: new Float32Array(6),
      maximumB: new Float32Array(3),
      minimumA: new Float32Array(6),
      minimumB: new Float32Array(3),
      squaredA: new Float32Array(6),
      squaredB: new Float32Array(3),
    };
    for (let row = 0; row < 2; row++) {
      for (let column = 0; column < 3; column++) {
        const left = aValues[row * 3 + column] as number;
        const right = bValues[column] as number;
        expected.maximumA[row * 3 + column] = left >= right ? 1 : 0;
        expected.maximumB[column] = (expected.maximumB[column] as number) + (left >= right ? 0 : 1);
        expected.minimumA[row * 3 + column] = left <= right ? 1 : 0;
        expected.minimumB[column] = (expected.minimumB[column] as number) + (left <= right ? 0 : 1);
        expected.squaredA[row * 3 + column] = 2 * (left - right);
        expected.squaredB[column] = (expected.squaredB[column] as number) - 2 * (left - right);
      }
    }
    expect(Array.from(await maximumA!.data())).toEqual(Array.from(expected.maximumA));
    expect(Array.from(await maximumB!.data())).toEqual(Array.from(expected.maximumB));
    expect(Array.from(await minimumA!.data())).toEqual(Array.from(expected.minimumA));
    expect(Array.from(await minimumB!.data())).toEqual(Array.from(expected.minimumB));
    expect(maxAbsDifference(await squaredA!.data(), expected.squaredA)).toBeLessThan(1e-5);
    expect(maxAbsDifference(await squaredB!.data(), expected.squaredB)).toBeLessThan(1e-5);
  });
});

describe('tile gradient fix', () => {
  const cases: Array<{ shape: number[]; reps: number[] }> = [
    { shape: [3], reps: [4] },
    { shape: [2, 3], reps: [3, 1] },
    { shape: [1, 1, 4], reps: [8, 16, 1] },
    { shape: [2, 1, 3, 2], reps: [1, 3, 2, 2] },
    { shape: [2, 1, 1, 2, 1], reps: [2, 2, 3, 1, 2] },
  ];
  for (const { shape, reps } of cases) {
    it(`x ${JSON.stringify(shape)} reps ${JSON.stringify(reps)}: matches a loop reference, without a Slice per repetition`, async () => {
      const random = new SeededRandom(`tile ${shape} ${reps}`);
      const x = random.normalTensor(shape);
      const outputShape = shape.map((size, axis) => size * (reps[axis] as number));
      const cotangent = random.normalTensor(outputShape);
      const cotangentValues = await cotangent.data();
      // dx[i] = Σ over output positions o that copy i (o mod size = i on every axis) of cotangent[o].
      const expected = new Float32Array(x.size);
      const outputStrides = outputShape.map((_, axis) => outputShape.slice(axis + 1).reduce((product, size) => product * size, 1));
      const inputStrides = shape.map((_, axis) => shape.slice(axis + 1).reduce((product, size) => product * size, 1));
      for (let flat = 0; flat < cotangent.size; flat++) {
        let inputIndex = 0;
        outputShape.forEach((_, axis) => {
          const coordinate = Math.floor(flat / (outputStrides[axis] as number)) % (outputShape[axis] as number);
          inputIndex += (coordinate % (shape[axis] as number)) * (inputStrides[axis] as number);
        });
        expected[inputIndex] = (expected[inputIndex] as number) + (cotangentValues[flat] as number);
      }
      const gradientOf = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.tile(input, reps), cotangent)));
      const profile = await tf.profile(() => gradientOf(x));
      const gradient = profile.result as tf.Tensor;
      expect(gradient.shape).toEqual(shape);
      expect(maxAbsDifference(await gradient.data(), expected)).toBeLessThan(1e-4);
      // Forward Tile, Multiply, Sum, and their gradients: Tile's is one Reshape and one Sum whatever the repetitions.
      expect(profile.kernels.filter((kernel) => kernel.name === 'Slice')).toEqual([]);
      tf.dispose([x, cotangent, gradient]);
    });
  }

  it("tfjs's own Tile gradient runs one Slice per repetition (why the fix exists)", async () => {
    unregisterGradientFixes();
    try {
      const x = tf.ones([1, 1, 4]);
      const profile = await tf.profile(() => tf.grad((input: tf.Tensor) => tf.sum(tf.tile(input, [8, 16, 1])))(x));
      expect(profile.kernels.filter((kernel) => kernel.name === 'Slice').length).toBe(8 * 16);
      tf.dispose([x, profile.result as tf.Tensor]);
    } finally {
      registerGradientFixes();
    }
  });
});
