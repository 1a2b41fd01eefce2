import type { tf } from '@reca/runtime';
import type { TorchTensorRecord } from './torch-backend.js';

/**
 * The backend's records by data id: a `Map` (tfjs's `DataStorage` keeps a `WeakMap`, whose entries cost more to set and
 * to collect; every record here is deleted explicitly in `disposeData`). A data id tfjs created on another backend is
 * moved in on first use, as `DataStorage` does.
 */
export class TorchDataTable {
  readonly #records = new Map<tf.DataId, TorchTensorRecord>();
  readonly #backend: tf.KernelBackend;
  readonly #mover: tf.DataMover;

  constructor(backend: tf.KernelBackend, mover: tf.DataMover) {
    this.#backend = backend;
    this.#mover = mover;
  }

  get(dataId: tf.DataId): TorchTensorRecord {
    let record = this.#records.get(dataId);
    if (record === undefined) {
      this.#mover.moveData(this.#backend, dataId);
      record = this.#records.get(dataId);
      if (record === undefined) throw new Error('the torch backend has no data for this tensor (disposed, or unknown to the engine)');
    }
    return record;
  }

  set(dataId: tf.DataId, record: TorchTensorRecord): void {
    this.#records.set(dataId, record);
  }

  has(dataId: tf.DataId): boolean {
    return this.#records.has(dataId);
  }

  delete(dataId: tf.DataId): boolean {
    return this.#records.delete(dataId);
  }

  numDataIds(): number {
    return this.#records.size;
  }
}
