import { Module } from './module.js';

/**
 * An indexed list of child modules named `0`, `1`, … (PyTorch's `nn.ModuleList`), so a transformer's blocks get
 * the reference names `blocks.0.attn.qkv.weight`.
 */
export class ModuleList<T extends Module> extends Module implements Iterable<T> {
  readonly #items: T[] = [];

  /** @param modules - the initial items, registered as `0`, `1`, … in order. */
  constructor(modules: Iterable<T> = []) {
    super();
    for (const module of modules) this.push(module);
  }

  /** Appends `module` under the next index. @returns `module`. */
  push(module: T): T {
    this.registerModule(String(this.#items.length), module);
    this.#items.push(module);
    return module;
  }

  /** Number of items. */
  get length(): number {
    return this.#items.length;
  }

  /** The item at `index` (negative counts from the end), or `undefined`. */
  at(index: number): T | undefined {
    return this.#items.at(index);
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]();
  }
}
