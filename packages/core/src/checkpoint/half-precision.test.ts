import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ArrayToHalfBits,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  halfBitsToFloat32Array,
} from './half-precision.js';

/** Reference binary16 decoding by the textbook formula (independent of the bit-manipulating implementation). */
function referenceFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The float32 neighbour of a positive float32 `value`, one unit in the last place up or down. */
function float32Neighbour(value: number, direction: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  view.setUint32(0, view.getUint32(0, true) + direction, true);
  return view.getFloat32(0, true);
}

/** Checks round-to-nearest-even over every pair of adjacent positive finite values of a 16-bit format. */
function checkRounding(decode: (bits: number) => number, encode: (value: number) => number, largestFinite: number): void {
  for (let bits = 0; bits < largestFinite; bits++) {
    const lower = decode(bits);
    const upper = decode(bits + 1);
    const midpoint = (lower + upper) / 2;
    expect(Math.fround(midpoint)).toBe(midpoint);
    if (encode(lower) !== bits) throw new Error(`encode(${lower}) = ${encode(lower)}, expected ${bits}`);
    const tie = bits % 2 === 0 ? bits : bits + 1;
    if (encode(midpoint) !== tie) throw new Error(`tie ${midpoint} → ${encode(midpoint)}, expected ${tie}`);
    if (encode(float32Neighbour(midpoint, -1)) !== bits) throw new Error(`below ${midpoint} should round down to ${bits}`);
    if (encode(float32Neighbour(midpoint, 1)) !== bits + 1) throw new Error(`above ${midpoint} should round up to ${bits + 1}`);
    if (encode(-lower) !== (bits | 0x8000)) throw new Error(`encode(-${lower}) should set the sign bit`);
  }
}

describe('float16', () => {
  it('decodes all 65536 bit patterns like the textbook formula', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const expected = referenceFloat16(bits);
      const actual = float16BitsToFloat32(bits);
      if (!Object.is(actual, expected)) throw new Error(`bits 0x${bits.toString(16)}: ${actual} ≠ ${expected}`);
    }
  });

  it('encodes known values', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e10)).toBe(0xfc00);
    expect(float32ToFloat16Bits(1e-30)).toBe(0);
  });

  it('rounds to nearest, ties to even, over every adjacent pair of finite values (subnormals included)', () => {
    checkRounding(float16BitsToFloat32, float32ToFloat16Bits, 0x7bff);
    // Past the largest finite value: 65520 is the tie between 65504 and 2^16 and goes to Infinity (even).
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(float32Neighbour(65520, -1))).toBe(0x7bff);
    // Half the smallest subnormal ties to zero; anything above it rounds up.
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0);
    expect(float32ToFloat16Bits(float32Neighbour(2 ** -25, 1))).toBe(1);
  });

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16Bits(Number.NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
    expect(Number.isNaN(float16BitsToFloat32(0x7e01))).toBe(true);
  });
});

describe('bfloat16', () => {
  it('decodes as the top half of a float32', () => {
    const view = new DataView(new ArrayBuffer(4));
    for (let bits = 0; bits < 0x10000; bits += 7) {
      view.setUint32(0, bits * 0x10000, true);
      expect(Object.is(bfloat16BitsToFloat32(bits), view.getFloat32(0, true))).toBe(true);
    }
  });

  it('encodes known values and rounds to nearest, ties to even, over every adjacent pair', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(Math.PI)).toBe(0x4049);
    expect(float32ToBfloat16Bits(-Infinity)).toBe(0xff80);
    checkRounding(bfloat16BitsToFloat32, float32ToBfloat16Bits, 0x7f7f);
    expect(float32ToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80);
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(Number.NaN)))).toBe(true);
  });
});

describe('array conversions', () => {
  it('round-trip every finite 16-bit value exactly and keep NaN payloads when decoding', () => {
    for (const format of ['F16', 'BF16'] as const) {
      const all = new Uint16Array(0x10000).map((_, index) => index);
      const decoded = halfBitsToFloat32Array(all, format);
      const encoded = float32ArrayToHalfBits(decoded, format);
      const exponentMask = format === 'F16' ? 0x7c00 : 0x7f80;
      for (let bits = 0; bits < 0x10000; bits++) {
        const isNaN = (bits & exponentMask) === exponentMask && (bits & ~exponentMask & 0x7fff) !== 0;
        if (!isNaN && encoded[bits] !== bits) throw new Error(`${format} 0x${bits.toString(16)} → 0x${encoded[bits].toString(16)}`);
      }
      const nanBits = format === 'F16' ? 0x7d23 : 0x7f93;
      const payload = new Uint32Array(halfBitsToFloat32Array(new Uint16Array([nanBits]), format).buffer)[0];
      expect(payload).toBe(format === 'F16' ? 0x7fa46000 : 0x7f930000);
    }
  });
});
