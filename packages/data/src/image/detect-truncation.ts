/**
 * True when `bytes` starts like a PNG, JPEG or WebP file but ends before its format says it should: a PNG without
 * its final `IEND` chunk, a JPEG without its end-of-image marker (FF D9), a WebP shorter than its RIFF header says.
 * Used to tell a truncated file from an otherwise corrupt one (the decoder reports both as a read error).
 */
export function isTruncatedImageFile(bytes: Uint8Array): boolean {
  const length = bytes.length;
  const startsWith = (signature: readonly number[]) =>
    length >= signature.length && signature.every((value, index) => bytes[index] === value);
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    // The last 12 bytes of a complete PNG are the IEND chunk: length 0, "IEND", CRC.
    const iend = [0x49, 0x45, 0x4e, 0x44];
    return length < 20 || !iend.every((value, index) => bytes[length - 8 + index] === value);
  }
  if (startsWith([0xff, 0xd8])) {
    // Allow trailing padding after the end-of-image marker: look for FF D9 near the end.
    for (let index = length - 2; index >= Math.max(2, length - 64); index--) {
      if (bytes[index] === 0xff && bytes[index + 1] === 0xd9) return false;
    }
    return true;
  }
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && length >= 12 && bytes[8] === 0x57 && bytes[9] === 0x45) {
    const riffSize = (bytes[4] as number) | ((bytes[5] as number) << 8) | ((bytes[6] as number) << 16) | ((bytes[7] as number) << 24);
    return length < (riffSize >>> 0) + 8;
  }
  return false;
}
