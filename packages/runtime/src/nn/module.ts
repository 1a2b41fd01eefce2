import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { WeightNamesMismatchError } from './weight-names-mismatch-error.js';

/** Options of {@link Module.registerParameter}. */
export interface RegisterParameterOptions {
  /**
   * Whether optimisers should update the parameter (`tf.Variable.trainable`). Non-trainable parameters are still
   * saved and loaded (PyTorch's persistent buffers, frozen weights).
   * @default true
   */
  trainable?: boolean;
}

/** Options of {@link Module.namedParameters}, {@link Module.parameters} and {@link Module.parameterCount}. */
export interface ParameterSelectionOptions {
  /** Only parameters whose variable is currently trainable. @default false */
  trainableOnly?: boolean;
}

/** Options of {@link Module.loadNamedWeights}. */
export interface LoadNamedWeightsOptions {
  /**
   * Throw {@link WeightNamesMismatchError} when a parameter has no weight or a weight has no parameter (PyTorch's
   * `load_state_dict(strict=True)`). With `false`, matching names are loaded and the rest reported.
   * @default true
   */
  strict?: boolean;
}

/** What {@link Module.loadNamedWeights} did. */
export interface LoadNamedWeightsResult {
  /** Parameter names that received a value, in parameter order. */
  readonly loaded: readonly string[];
  /** Parameter names with no weight in the input (kept at their current value). */
  readonly missing: readonly string[];
  /** Weight names in the input with no parameter (ignored). */
  readonly unexpected: readonly string[];
}

/** Weights by dotted parameter name, as a `Map` or a plain object (e.g. a parsed safetensors file). */
export type NamedWeights = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

const namePattern = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

/** Makes engine-unique variable names (the engine rejects a second variable of the same name in a process). */
let nextVariableNumber = 0;

/**
 * The base of every neural-network building block: a tree of named parameters (`tf.Variable`s) and child modules,
 * with PyTorch's naming (`blocks.0.attn.qkv.weight`), so names and shapes match reference checkpoints.
 *
 * Subclasses register their parameters and children in the constructor, in the order PyTorch modules define them,
 * and implement their own `forward(...)`. The dotted names are the module's API; the variables get unique internal
 * engine names (`reca/<number>/<local name>`), since tfjs requires process-unique variable names.
 *
 * Ownership: a module owns its variables; {@link dispose} frees them (and its children's).
 */
export class Module {
  readonly #parameters = new Map<string, tf.Variable>();
  readonly #children = new Map<string, Module>();
  #disposed = false;

  /**
   * Adds a parameter named `name` (a dotted name is allowed, e.g. `'pos_embed'` or `'mlp.0.weight'` for
   * sequential-style containers).
   *
   * @param name - local name: letters, digits and `_`, optionally joined by dots; unique within this module.
   * @param initial - the initial value. A plain tensor is wrapped in a new float32 variable and *disposed* (the module
   *   takes ownership). A `tf.Variable` is registered as it is, which shares it (weight tying); the module then owns
   *   it too and disposes it with the others.
   * @returns the variable.
   */
  registerParameter(name: string, initial: tf.Tensor, options: RegisterParameterOptions = {}): tf.Variable {
    const { trainable = true } = options;
    this.#assertNameFree(name);
    let variable: tf.Variable;
    if (initial instanceof tf.Variable) {
      variable = initial;
    } else {
      nextVariableNumber += 1;
      variable = tf.variable(initial, trainable, `reca/${nextVariableNumber}/${name}`, initial.dtype);
      initial.dispose();
    }
    variable.trainable = trainable;
    this.#parameters.set(name, variable);
    return variable;
  }

  /**
   * Adds a child module; its parameters appear under `name.` (`registerModule('attn', attention)` →
   * `attn.qkv.weight`).
   *
   * @param name - local name: letters, digits and `_`, optionally joined by dots; unique within this module.
   * @returns `module`, so a constructor can write `this.attn = this.registerModule('attn', new MultiHeadAttention(...))`.
   */
  registerModule<T extends Module>(name: string, module: T): T {
    this.#assertNameFree(name);
    if ((module as Module) === this) {
      throw new InvalidArgumentError({ argument: 'module', message: `a module cannot be its own child ('${name}')` });
    }
    this.#children.set(name, module);
    return module;
  }

  /**
   * All parameters with their full dotted names, in a stable order: this module's own parameters in registration
   * order, then each child's, depth first, in registration order (PyTorch's `named_parameters()`). A variable
   * reachable under two names (tied weights) is listed once, under the first.
   */
  namedParameters(options: ParameterSelectionOptions = {}): Array<[string, tf.Variable]> {
    const result: Array<[string, tf.Variable]> = [];
    const seen = new Set<tf.Variable>();
    this.#collectParameters('', result, seen);
    return options.trainableOnly ? result.filter(([, variable]) => variable.trainable) : result;
  }

  /** The variables of {@link namedParameters}, in the same order. */
  parameters(options: ParameterSelectionOptions = {}): tf.Variable[] {
    return this.namedParameters(options).map(([, variable]) => variable);
  }

  /** The variables an optimiser should update (currently trainable), in {@link namedParameters} order. */
  trainableVariables(): tf.Variable[] {
    return this.parameters({ trainableOnly: true });
  }

  /** This module (name `''`) and every descendant with its dotted path, depth first, in registration order. */
  namedModules(): Array<[string, Module]> {
    const result: Array<[string, Module]> = [['', this]];
    const seen = new Set<Module>([this]);
    const visit = (module: Module, prefix: string) => {
      for (const [name, child] of module.#children) {
        if (seen.has(child)) continue;
        seen.add(child);
        const path = prefix === '' ? name : `${prefix}.${name}`;
        result.push([path, child]);
        visit(child, path);
      }
    };
    visit(this, '');
    return result;
  }

  /** Total number of scalar parameters (each tied variable counted once). */
  parameterCount(options: ParameterSelectionOptions = {}): number {
    return this.parameters(options).reduce((sum, variable) => sum + variable.size, 0);
  }

  /** Marks every parameter of this module and its descendants trainable or frozen. @returns this module. */
  setTrainable(trainable: boolean): this {
    for (const variable of this.parameters()) variable.trainable = trainable;
    return this;
  }

  /**
   * The current weights by full dotted name, in {@link namedParameters} order (PyTorch's `state_dict()`). The values
   * are the live variables: read them, do not dispose them.
   */
  namedWeights(): Map<string, tf.Tensor> {
    return new Map<string, tf.Tensor>(this.namedParameters());
  }

  /**
   * Assigns weights by full dotted name (PyTorch's `load_state_dict`). Everything is checked before anything is
   * assigned, so a failed load leaves the module unchanged. Values of another dtype are cast to the parameter's dtype.
   * The input tensors stay owned by the caller.
   *
   * @throws ShapeMismatchError naming the first parameter whose weight has another shape.
   * @throws WeightNamesMismatchError with `strict` (default) when names are missing or unexpected.
   */
  loadNamedWeights(weights: NamedWeights, options: LoadNamedWeightsOptions = {}): LoadNamedWeightsResult {
    const { strict = true } = options;
    const incoming: Map<string, tf.Tensor> =
      weights instanceof Map ? new Map(weights) : new Map(Object.entries(weights as Record<string, tf.Tensor>));
    const parameters = this.namedParameters();
    const loaded: string[] = [];
    const missing: string[] = [];
    for (const [name, variable] of parameters) {
      const value = incoming.get(name);
      if (value === undefined) {
        missing.push(name);
        continue;
      }
      const sameShape = value.rank === variable.rank && value.shape.every((size, index) => size === variable.shape[index]);
      if (!sameShape) {
        throw new ShapeMismatchError({ tensorName: name, expected: variable.shape, actual: value.shape, context: 'loadNamedWeights' });
      }
      loaded.push(name);
    }
    const known = new Set(parameters.map(([name]) => name));
    const unexpected = [...incoming.keys()].filter((name) => !known.has(name));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new WeightNamesMismatchError({ missing, unexpected, context: 'loadNamedWeights' });
    }
    const byName = new Map(parameters);
    for (const name of loaded) {
      const variable = byName.get(name) as tf.Variable;
      const value = incoming.get(name) as tf.Tensor;
      // Assigning a variable's own data to it would free that data first (tfjs decrements before it increments):
      // loading a module's own namedWeights() is a no-op, not a corruption.
      if (value.dataId === variable.dataId) continue;
      tf.tidy(() => variable.assign(value.dtype === variable.dtype ? value : tf.cast(value, variable.dtype)));
    }
    return { loaded, missing, unexpected };
  }

  /** Frees every variable of this module and its descendants. Calling it again does nothing. */
  dispose(): void {
    if (this.#disposed) return;
    for (const variable of this.parameters()) variable.dispose();
    this.#markDisposed();
  }

  /** True after {@link dispose}. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  #markDisposed(): void {
    this.#disposed = true;
    for (const child of this.#children.values()) if (!child.#disposed) child.#markDisposed();
    this.#parameters.clear();
    this.#children.clear();
  }

  #collectParameters(prefix: string, result: Array<[string, tf.Variable]>, seen: Set<tf.Variable>): void {
    for (const [name, variable] of this.#parameters) {
      if (seen.has(variable)) continue;
      seen.add(variable);
      result.push([`${prefix}${name}`, variable]);
    }
    for (const [name, child] of this.#children) child.#collectParameters(`${prefix}${name}.`, result, seen);
  }

  #assertNameFree(name: string): void {
    if (this.#disposed) {
      throw new InvalidArgumentError({ argument: 'name', message: `cannot register '${name}' on a disposed module` });
    }
    if (!namePattern.test(name)) {
      throw new InvalidArgumentError({
        argument: 'name',
        message: `'${name}' is not a valid parameter or module name (letters, digits and _, optionally joined by dots)`,
      });
    }
    if (this.#parameters.has(name) || this.#children.has(name)) {
      throw new InvalidArgumentError({ argument: 'name', message: `'${name}' is already registered in this module` });
    }
  }
}
