import type { RgbImage } from '@reca/data';
import type { SeededRandom } from '@reca/runtime';

/** Adds N(0, σ²) noise to every channel of every pixel (rounded, clamped to 0–255). */
export function addGaussianNoise(image: RgbImage, standardDeviation: number, random: SeededRandom): RgbImage {
  return { ...image, data: Uint8Array.from(image.data, (value) => Math.max(0, Math.min(255, Math.round(value + random.normal(0, standardDeviation))))) };
}

/** Sets a fraction of pixels to a random 8-bit colour (specks). */
export function addSpecks(image: RgbImage, fraction: number, random: SeededRandom): RgbImage {
  const data = Uint8Array.from(image.data);
  for (let pixel = 0; pixel < image.width * image.height; pixel++) {
    if (!random.bernoulli(fraction)) continue;
    for (let channel = 0; channel < 3; channel++) data[pixel * 3 + channel] = random.integer(256);
  }
  return { ...image, data };
}

/** Shifts every non-black pixel's channels by a fixed offset (a slightly-off palette), clamped. */
export function shiftColors(image: RgbImage, offset: readonly [number, number, number]): RgbImage {
  const data = Uint8Array.from(image.data);
  for (let pixel = 0; pixel < image.width * image.height; pixel++) {
    if (data[pixel * 3] === 0 && data[pixel * 3 + 1] === 0 && data[pixel * 3 + 2] === 0) continue;
    for (let channel = 0; channel < 3; channel++) data[pixel * 3 + channel] = Math.max(0, Math.min(255, (data[pixel * 3 + channel] as number) + (offset[channel] as number)));
  }
  return { ...image, data };
}
