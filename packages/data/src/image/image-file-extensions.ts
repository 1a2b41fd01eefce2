import { extname } from 'node:path';

/** File extensions (lowercase, with the dot) the dataset reader treats as images: PNG, JPEG and WebP. */
export const imageFileExtensions: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp'];

/** True when `fileName` ends in one of {@link imageFileExtensions} (case-insensitive). */
export function isImageFileName(fileName: string): boolean {
  return imageFileExtensions.includes(extname(fileName).toLowerCase());
}
