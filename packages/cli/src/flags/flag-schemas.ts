import { z } from 'zod';

/** A flag holding an integer ≥ `minimum` (and ≤ `maximum`), given as decimal digits. */
export function integerFlag({ minimum, maximum }: { minimum: number; maximum?: number }) {
  return z
    .string()
    .regex(/^-?\d+$/, { message: 'must be an integer' })
    .transform(Number)
    .refine((value) => value >= minimum, { message: `must be ≥ ${minimum}` })
    .refine((value) => maximum === undefined || value <= maximum, { message: `must be ≤ ${maximum}` });
}

/** A flag holding a non-empty path. */
export function pathFlag() {
  return z.string().min(1, { message: 'must be a non-empty path' });
}

/** A flag holding one of `choices`. */
export function choiceFlag<const Choice extends string>(choices: readonly [Choice, ...Choice[]]) {
  return z.enum(choices, { message: `must be one of ${choices.join(', ')}` });
}

/** A switch (a flag without a value, listed in `parseCommandFlags`' `switches`): true when given. */
export function switchFlag() {
  return z
    .literal('true')
    .optional()
    .transform((value) => value === 'true');
}

/** A flag holding a finite number ≥ `minimum` (decimal or exponent notation, e.g. `2`, `0.5`, `1e-4`). */
export function numberFlag({ minimum }: { minimum: number }) {
  return z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, { message: 'must be a number' })
    .transform(Number)
    .refine((value) => Number.isFinite(value) && value >= minimum, { message: `must be a finite number ≥ ${minimum}` });
}
