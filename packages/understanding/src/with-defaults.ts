/**
 * `{ ...defaults, ...values }` where `values` entries that are `undefined` keep the default (a plain spread would
 * overwrite a default with an explicit `undefined`).
 *
 * @param defaults - the default of every optional field.
 * @param values - the caller's configuration.
 * @returns a new object; neither input is changed.
 */
export function withDefaults<Defaults extends object, Values extends object>(defaults: Defaults, values: Values): Defaults & Values {
  const result: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) result[key] = value;
  return result as Defaults & Values;
}
