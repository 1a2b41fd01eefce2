/** The generator families the CLI can create, train and sample (DESIGN.md §1). */
export const modelFamilies = ['diffusion', 'masked-autoregressive', 'autoregressive'] as const;

/** One of {@link modelFamilies}. */
export type ModelFamily = (typeof modelFamilies)[number];

/** True when `value` names a family the CLI supports. */
export function isModelFamily(value: unknown): value is ModelFamily {
  return typeof value === 'string' && (modelFamilies as readonly string[]).includes(value);
}
