/**
 * `{ ...base, ...values }` where entries of `values` that are `undefined` keep the base value (a plain spread would
 * overwrite them with `undefined`).
 *
 * @param base - the starting values.
 * @param values - the values that replace them.
 * @returns a new object; neither input is changed.
 */
export function mergeDefined<Base extends object>(base: Base, values: Partial<Base> | undefined): Base {
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) result[key] = value;
  return result as Base;
}
