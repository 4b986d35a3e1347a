import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Bits } from './float16.js';

describe('float16 conversions', () => {
  it('decodes known half-precision words', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0000, 0x8000].map(float16BitsToFloat32)).toEqual([1, -2, 65504, 2 ** -24, 0, -0]);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });

  it('rounds to nearest even and saturates to ±Infinity', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // below half the smallest subnormal
  });

  it('round-trips every finite half value', () => {
    const bits = Uint16Array.from({ length: 0x7c00 }, (_, i) => i);
    const back = Array.from(float16ToFloat32Array(bits), float32ToFloat16Bits);
    expect(back).toEqual(Array.from(bits));
  });
});
