/**
 * Conversions between float32 values and the 16-bit float formats safetensors stores: IEEE 754 binary16 (`F16`) and
 * bfloat16 (`BF16`). Decoding is exact (every 16-bit value is a float32 value, NaN payloads kept); encoding rounds to
 * nearest, ties to even, overflows to ±Infinity and keeps NaN a (quiet) NaN.
 */
const float32Scratch = new Float32Array(1);
const bitsScratch = new Uint32Array(float32Scratch.buffer);

function float32Bits(value: number): number {
  float32Scratch[0] = value;
  return bitsScratch[0];
}

function float32FromBits(bits: number): number {
  bitsScratch[0] = bits >>> 0;
  return float32Scratch[0];
}

/**
 * Float32 bit pattern of a binary16 value given by its 16 bits (exact).
 * @param bits - binary16 bit pattern, 0..0xffff
 * @returns the same value as a float32 bit pattern (uint32)
 */
export function float16BitsToFloat32Bits(bits: number): number {
  const sign = (bits & 0x8000) << 16;
  const exponent = (bits >>> 10) & 0x1f;
  let mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent - 15 + 127) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal binary16 (mantissa * 2^-24): normalise into a float32 normal number.
  let unbiased = -14;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    unbiased -= 1;
  }
  return (sign | ((unbiased + 127) << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

/** The value of a binary16 bit pattern, as a JS number (exact). */
export function float16BitsToFloat32(bits: number): number {
  return float32FromBits(float16BitsToFloat32Bits(bits));
}

/**
 * Binary16 bit pattern nearest to `value` (first rounded to float32), ties to even; too large → ±Infinity,
 * too small → ±0, NaN → quiet NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  const bits = float32Bits(value);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Result is subnormal (or zero): drop 14 - halfExponent bits of the 24-bit significand.
    const shift = 14 - halfExponent;
    if (shift > 24) return sign;
    const significand = mantissa | 0x800000;
    let result = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (result & 1) === 1)) result += 1;
    return sign | result;
  }
  let result = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (result & 1) === 1)) result += 1;
  return sign | result;
}

/** The value of a bfloat16 bit pattern, as a JS number (exact: bfloat16 is the top half of a float32). */
export function bfloat16BitsToFloat32(bits: number): number {
  return float32FromBits((bits & 0xffff) << 16);
}

/** Bfloat16 bit pattern nearest to `value` (first rounded to float32), ties to even; NaN → quiet NaN. */
export function float32ToBfloat16Bits(value: number): number {
  const bits = float32Bits(value);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  const roundingBias = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + roundingBias) >>> 16) & 0xffff;
}

/** Converts F16 or BF16 raw bits to float32 values (exact, NaN payloads kept). */
export function halfBitsToFloat32Array(bits: Uint16Array, format: 'F16' | 'BF16'): Float32Array {
  const output = new Float32Array(bits.length);
  const outputBits = new Uint32Array(output.buffer);
  if (format === 'BF16') {
    for (let index = 0; index < bits.length; index++) outputBits[index] = bits[index] << 16;
  } else {
    for (let index = 0; index < bits.length; index++) outputBits[index] = float16BitsToFloat32Bits(bits[index]);
  }
  return output;
}

/** Converts float32 values to F16 or BF16 raw bits (round to nearest, ties to even). */
export function float32ArrayToHalfBits(values: ArrayLike<number>, format: 'F16' | 'BF16'): Uint16Array {
  const output = new Uint16Array(values.length);
  const convert = format === 'BF16' ? float32ToBfloat16Bits : float32ToFloat16Bits;
  for (let index = 0; index < values.length; index++) output[index] = convert(values[index]);
  return output;
}
