/**
 * A string that identifies the values of a tfjs attribute object, so that the addon can reuse its copy of equal
 * attributes (native/execution.cc's attribute cache) instead of reading the object through N-API on every queued call:
 * that read costs JavaScript 0.6–0.8 µs per attribute (measured: a queued `Add` 1.6 µs, with two unused attributes
 * 3.2 µs, with four 4.1 µs), more than the rest of our kernel path.
 *
 * The key must be injective over what the addon copies (native/attributes.cc: booleans, numbers, strings,
 * null/undefined, and arrays of those nested two deep): names and strings carry their lengths, numbers their shortest
 * round-trip text (which tells every two doubles apart, -0 written apart from 0), arrays are bracketed. Anything else
 * (an object, a typed array, deeper arrays) gives `undefined`: the addon then reads the object as before. Keys longer
 * than {@link maximumAttributeKeyLength} are not made either (AdamW's per-parameter lists change every step: caching
 * them would only churn the cache).
 */

/** Longest key made; longer attribute sets are read by the addon directly. */
export const maximumAttributeKeyLength = 512;

/** The key of `attrs` (see the module comment), or undefined when the addon should read the object itself. */
export function attributeKey(attrs: object): string | undefined {
  let key = '';
  for (const name in attrs) {
    const encoded = encodeValue((attrs as Record<string, unknown>)[name], 0);
    if (encoded === undefined) return undefined;
    key += `${name.length}:${name}=${encoded};`;
    if (key.length > maximumAttributeKeyLength) return undefined;
  }
  return key;
}

function encodeValue(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return '~';
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'string':
      return `s${value.length}:${value}`;
    case 'object': {
      if (value === null) return '~';
      // The addon copies arrays at the top level and one level down (lists, lists of pairs).
      if (!Array.isArray(value) || depth >= 2) return undefined;
      let items = `[${value.length}:`;
      for (let index = 0; index < value.length; index++) {
        const item = encodeValue(value[index], depth + 1);
        if (item === undefined) return undefined;
        items += `${item},`;
      }
      return `${items}]`;
    }
    default:
      return undefined;
  }
}
