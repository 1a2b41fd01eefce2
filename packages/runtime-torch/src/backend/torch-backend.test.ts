/**
 * Storage of the torch backend: values round-trip per dtype, data ids share one native handle with reference counts,
 * strings stay in JavaScript (their kernels fall back to cpu), data created on another backend moves in, native
 * errors name the kernel, and a missing kernel falls back to cpu with one warning.
 */
import { tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { TorchKernelError } from '../errors/torch-kernel-error.js';
import { registerTorchBackend } from '../register-torch-backend.js';
import type { TorchBackendRegistration } from '../torch-backend-registration.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { TorchBackend } from './torch-backend.js';

describeWithTorchAddon('torch backend storage', () => {
  const warnings: string[] = [];
  let registration: TorchBackendRegistration;
  beforeAll(async () => {
    vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    registration = await registerTorchBackend({ device: 'cpu' });
    await tf.setBackend('torch');
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('reports a cpu device and registers native and fallback kernels', () => {
    expect(registration.backendName).toBe('torch');
    expect(registration.computeDevice).toBe('cpu');
    expect(registration.device).toMatch(/^cpu \(libtorch \d+\.\d+/);
    expect(registration.nativeKernels).toEqual(expect.arrayContaining(['BatchMatMul', 'Softmax', 'Conv2DBackpropFilter', 'UnsortedSegmentSum']));
    expect(registration.fallbackKernels).toContain('Unique');
    expect(tf.backend()).toBeInstanceOf(TorchBackend);
  });

  it('round-trips float32, int32 and bool values, including empty and rank-0 tensors', async () => {
    const floats = tf.tensor([1.5, -2.25, 3e-8, 1e30], [2, 2], 'float32');
    const ints = tf.tensor([7, -8, 2147483647], [3], 'int32');
    const flags = tf.tensor([1, 0, 1], [3], 'bool');
    const scalar = tf.scalar(4.5);
    const empty = tf.tensor([], [0, 3], 'float32');
    expect(Array.from(await floats.data())).toEqual([1.5, -2.25, Math.fround(3e-8), Math.fround(1e30)]);
    expect(Array.from(ints.dataSync())).toEqual([7, -8, 2147483647]);
    expect(ints.dataSync()).toBeInstanceOf(Int32Array);
    expect(Array.from(flags.dataSync())).toEqual([1, 0, 1]);
    expect(flags.dataSync()).toBeInstanceOf(Uint8Array);
    expect(scalar.dataSync()[0]).toBe(4.5);
    expect(empty.dataSync().length).toBe(0);
    tf.dispose([floats, ints, flags, scalar, empty]);
  });

  it('frees a native handle exactly when the last tensor sharing its data is disposed', () => {
    const before = registration.nativeHandleCount();
    const original = tf.tensor([1, 2, 3]);
    expect(registration.nativeHandleCount()).toBe(before + 1);
    const clone = tf.clone(original);
    expect(clone.dataId).toBe(original.dataId);
    expect(registration.nativeHandleCount()).toBe(before + 1);
    original.dispose();
    expect(registration.nativeHandleCount()).toBe(before + 1);
    expect(Array.from(clone.dataSync())).toEqual([1, 2, 3]);
    clone.dispose();
    expect(registration.nativeHandleCount()).toBe(before);
  });

  it('shares the data of a Reshape to the same shape, a Cast to the same dtype and an identity Transpose', () => {
    const handles = registration.nativeHandleCount();
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const same = tf.reshape(x, [-1, 3]);
    const cast = tf.cast(x, 'float32');
    const unmoved = tf.transpose(x, [0, 1]);
    expect(same.dataId).toBe(x.dataId);
    expect(cast.dataId).toBe(x.dataId);
    expect(unmoved.dataId).toBe(x.dataId);
    unmoved.dispose();
    expect(registration.nativeHandleCount()).toBe(handles + 1);
    const reshaped = tf.reshape(x, [3, 2]);
    const converted = tf.cast(x, 'int32');
    expect(reshaped.dataId).not.toBe(x.dataId);
    expect(converted.dataId).not.toBe(x.dataId);
    expect(registration.nativeHandleCount()).toBe(handles + 3);
    tf.dispose([x, reshaped, converted]);
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(same.shape).toEqual([2, 3]);
    expect(cast.dtype).toBe('float32');
    same.dispose();
    expect(registration.nativeHandleCount()).toBe(handles + 1);
    cast.dispose();
    expect(registration.nativeHandleCount()).toBe(handles);
    // A reshape to a shape of another size still reaches the native kernel, which names itself in the error.
    const y = tf.ones([2, 3]);
    expect(() => tf.engine().runKernel('Reshape', { x: y }, { shape: [2, 4] })).toThrow(/Reshape/);
    y.dispose();
  });

  it('keeps string tensors in JavaScript and runs their kernels on cpu', () => {
    const handles = registration.nativeHandleCount();
    const strings = tf.tensor(['a', 'bb', 'ccc', 'd'], [2, 2]);
    expect(registration.nativeHandleCount()).toBe(handles);
    const reshaped = tf.reshape(strings, [4]);
    expect(reshaped.arraySync()).toEqual(['a', 'bb', 'ccc', 'd']);
    expect(warnings.some((warning) => warning.includes("kernel 'Reshape'") && warning.includes('string input'))).toBe(true);
    tf.dispose([strings, reshaped]);
  });

  it('moves data created on the cpu backend in on first use', async () => {
    await tf.setBackend('cpu');
    const onCpu = tf.tensor([[1, 2], [3, 4]]);
    await tf.setBackend('torch');
    const product = tf.matMul(onCpu, onCpu);
    expect(Array.from(product.dataSync())).toEqual([7, 10, 15, 22]);
    tf.dispose([onCpu, product]);
  });

  it('wraps native failures in TorchKernelError naming the kernel', () => {
    const a = tf.ones([2, 3]);
    const b = tf.ones([4, 5]);
    let caught: unknown;
    try {
      tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
    } catch (error) {
      caught = error;
    }
    expect(TorchKernelError.isInstance(caught)).toBe(true);
    expect((caught as TorchKernelError).kernelName).toBe('BatchMatMul');
    expect((caught as Error).message).toMatch(/BatchMatMul/);
    tf.dispose([a, b]);
  });

  it('runs a kernel without a native implementation on cpu, warning once', () => {
    registration.usage.reset();
    const values = tf.tensor1d([3, 1, 3, 2, 1]);
    const first = tf.unique(values);
    const second = tf.unique(values);
    expect(Array.from(first.values.dataSync())).toEqual([3, 1, 2]);
    expect(Array.from(second.indices.dataSync())).toEqual([0, 1, 0, 2, 1]);
    expect(registration.usage.fallbackCalls().get('Unique')).toBe(2);
    expect(warnings.filter((warning) => warning.includes("kernel 'Unique'")).length).toBe(1);
    tf.dispose([values, first.values, first.indices, second.values, second.indices]);
  });
});
