import { InvalidArgumentError } from '@reca/runtime';

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Checks that `value` is plain JSON data (null, booleans, finite numbers, strings, arrays, plain objects), so that it
 * round-trips exactly. `JSON.stringify` alone would silently drop `undefined` and functions and turn NaN into null.
 *
 * @param argument - names the value in errors; nested positions are appended (`config.layers[2].width`)
 * @throws InvalidArgumentError naming the first position that is not JSON
 */
export function assertJsonValue(value: unknown, argument: string): asserts value is JsonValue {
  const fail = (message: string): never => {
    throw new InvalidArgumentError({ argument, message });
  };
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(`must be JSON data; ${value} has no JSON form`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJsonValue(item, `${argument}[${index}]`));
    return;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      fail(`must be JSON data; got an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`);
    }
    for (const [key, item] of Object.entries(value)) assertJsonValue(item, `${argument}.${key}`);
    return;
  }
  fail(`must be JSON data; got ${typeof value}`);
}
