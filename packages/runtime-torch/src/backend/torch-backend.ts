import { tf } from '@reca/runtime';
import { queuedFailureOf, reportingQueuedFailures } from '../errors/torch-kernel-error-of.js';
import { dtypeCodes, dtypesByCode, type TorchAddon } from '../native/torch-addon.js';
import { TorchDataTable } from './torch-data-table.js';

/**
 * What the backend stores per tfjs data id: a native handle (or, for strings, the values themselves), the shape and
 * dtype tfjs knows, and the number of tfjs tensors sharing it.
 */
export interface TorchTensorRecord {
  /** Handle into the addon's table; -1 for data kept in JavaScript (strings). */
  handle: number;
  /** Present for data kept in JavaScript. */
  values?: tf.BackendValues;
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
  refCount: number;
}

/** Size of the shared output-metadata buffer (int32 slots): `[handle, dtype, rank, ...dims]` per output. */
const outputBufferLength = 1 << 16;

/**
 * A TensorFlow.js backend whose tensors are ATen tensors held by the native addon. Kernels are registered separately
 * (see `registerTorchKernels`); this class owns storage: writing, reading, reference counting and freeing.
 *
 * A native handle is freed exactly when tfjs disposes the last tensor that shares its data id.
 */
export class TorchBackend extends tf.KernelBackend {
  readonly addon: TorchAddon;
  /** `'cpu'` or `'cuda:<index>'`. */
  readonly device: string;
  readonly #data: TorchDataTable;
  readonly #outputs = new Int32Array(outputBufferLength);
  readonly #transfers = { reads: 0, deviceWrites: 0, scalarWrites: 0 };
  #disposed = false;

  /**
   * @param addon - the loaded, configured addon.
   * @param device - the device the addon computes on.
   * @param engine - the tfjs engine (moves data in from other backends on first use).
   */
  constructor(addon: TorchAddon, device: string, engine: tf.DataMover = tf.engine()) {
    super();
    this.addon = addon;
    this.device = device;
    this.#data = new TorchDataTable(this, engine);
    addon.setOutputBuffer(this.#outputs);
  }

  /** The record of a data id (moving the data in from another backend if tfjs created it elsewhere). */
  record(dataId: tf.DataId): TorchTensorRecord {
    return this.#data.get(dataId);
  }

  /** The native handle of a tensor's data; undefined when the data is kept in JavaScript (strings). */
  handleOf(info: tf.TensorInfo): number | undefined {
    const record = this.#data.get(info.dataId);
    return record.handle >= 0 ? record.handle : undefined;
  }

  override write(values: tf.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    const dataId = {};
    this.#data.set(dataId, this.#makeRecord(values, shape, dtype, 1));
    return dataId;
  }

  override move(dataId: tf.DataId, values: tf.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.#data.set(dataId, this.#makeRecord(values, shape, dtype, refCount));
  }

  #makeRecord(values: tf.BackendValues, shape: readonly number[], dtype: tf.DataType, refCount: number): TorchTensorRecord {
    if (dtype === 'string') return { handle: -1, values, shape, dtype, refCount };
    if (dtype === 'complex64') {
      throw new Error("the torch backend does not store complex64 tensors; run complex ops on the 'cpu' backend");
    }
    const code = dtypeCodes[dtype as keyof typeof dtypeCodes];
    const typed = toTypedArray(values, dtype);
    if (shape.length === 0) this.#transfers.scalarWrites++;
    else this.#transfers.deviceWrites++;
    return { handle: this.addon.write(typed, shape, code), shape, dtype, refCount };
  }

  /**
   * Wraps the outputs the addon just wrote into the metadata buffer as tfjs tensor infos (each with a new data id).
   * @param count - number of outputs `run` reported.
   */
  collectOutputs(count: number): tf.TensorInfo[] {
    const outputs: tf.TensorInfo[] = [];
    const buffer = this.#outputs;
    let cursor = 0;
    for (let index = 0; index < count; index++) {
      const handle = buffer[cursor++] as number;
      const dtype = dtypesByCode[buffer[cursor++] as number] as tf.DataType;
      const rank = buffer[cursor++] as number;
      const shape = new Array<number>(rank);
      for (let dim = 0; dim < rank; dim++) shape[dim] = buffer[cursor++] as number;
      const dataId = {};
      this.#data.set(dataId, { handle, shape, dtype, refCount: 1 });
      outputs.push({ dataId, shape, dtype });
    }
    return outputs;
  }

  override refCount(dataId: tf.DataId): number {
    return this.#data.has(dataId) ? this.#data.get(dataId).refCount : 0;
  }

  override incRef(dataId: tf.DataId): void {
    this.#data.get(dataId).refCount++;
  }

  /** Decrements a data id's reference count without freeing (tfjs backends' `decRef`). */
  decRef(dataId: tf.DataId): void {
    if (this.#data.has(dataId)) this.#data.get(dataId).refCount--;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    if (!this.#data.has(dataId)) return true;
    const record = this.#data.get(dataId);
    record.refCount--;
    if (!force && record.refCount > 0) return false;
    if (record.handle >= 0) this.addon.free(record.handle);
    this.#data.delete(dataId);
    return true;
  }

  /** Frees an intermediate result a kernel created and does not return. */
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void {
    this.disposeData(info.dataId);
  }

  override readSync(dataId: tf.DataId): tf.BackendValues {
    const record = this.#data.get(dataId);
    if (record.handle < 0) return record.values as tf.BackendValues;
    this.#transfers.reads++;
    try {
      return this.addon.read(record.handle);
    } catch (error) {
      // A queued kernel this tensor depends on failed: name that kernel.
      throw queuedFailureOf(error, 'a read of a tensor computed from it') ?? error;
    }
  }

  override async read(dataId: tf.DataId): Promise<tf.BackendValues> {
    return this.readSync(dataId);
  }

  override numDataIds(): number {
    return this.#data.numDataIds();
  }

  /**
   * Host↔device traffic so far: `reads` (data()/dataSync(): each waits for the device), `deviceWrites` (host arrays of
   * rank ≥ 1 copied in: asynchronous on CUDA, filled on the device when constant) and `scalarWrites` (rank-0 values,
   * kept on the CPU).
   */
  transferCounts(): { reads: number; deviceWrites: number; scalarWrites: number } {
    return { ...this.#transfers };
  }

  /** Tensors the addon holds (every live data id with native storage, plus none leaked). */
  nativeHandleCount(): number {
    return this.addon.liveHandles();
  }

  override memory(): { unreliable: boolean; reasons?: string[] } {
    return { unreliable: true, reasons: ['ATen allocates outside the tfjs engine (caching allocators); see nativeHandleCount()'] };
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const start = performance.now();
    f();
    reportingQueuedFailures('synchronize', () => this.addon.synchronize());
    return { kernelMs: performance.now() - start };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
  }
}

/** `values` as the typed array the addon copies from (tfjs hands over Float32Array / Int32Array / Uint8Array). */
function toTypedArray(values: tf.BackendValues, dtype: tf.DataType): Float32Array | Int32Array | Uint8Array | Float64Array {
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array || values instanceof Float64Array) {
    return values;
  }
  if (Array.isArray(values)) {
    const numbers = values as unknown as number[];
    return dtype === 'int32' ? Int32Array.from(numbers) : dtype === 'bool' ? Uint8Array.from(numbers) : Float32Array.from(numbers);
  }
  throw new Error(`the torch backend cannot store values of type ${Object.prototype.toString.call(values)} as ${dtype}`);
}
