import { HOST_IS_LITTLE_ENDIAN } from './safetensors-dtype.js';

/**
 * Converts between safetensors' little-endian element bytes and the host's typed-array byte order, in place.
 * A no-op on little-endian hosts (every platform tfjs ships for); swaps each `itemSize`-byte element otherwise.
 */
export function toOrFromLittleEndianInPlace(bytes: Uint8Array, itemSize: number): void {
  if (HOST_IS_LITTLE_ENDIAN || itemSize === 1) return;
  for (let start = 0; start < bytes.length; start += itemSize) {
    for (let low = start, high = start + itemSize - 1; low < high; low++, high--) {
      const swapped = bytes[low];
      bytes[low] = bytes[high];
      bytes[high] = swapped;
    }
  }
}
