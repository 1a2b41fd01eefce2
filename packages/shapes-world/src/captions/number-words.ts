/** Number words ShapesWorld uses, 1–4 (scenes have at most four objects). */
export const numberWords = ['one', 'two', 'three', 'four'] as const;

/** The word for 1–4. */
export function numberWord(count: number): (typeof numberWords)[number] {
  const word = numberWords[count - 1];
  if (word === undefined) throw new RangeError(`ShapesWorld has number words for 1–4 only, got ${count}`);
  return word;
}

/** The value of a number word, or `undefined`. */
export function parseNumberWord(word: string): number | undefined {
  const index = (numberWords as readonly string[]).indexOf(word);
  return index < 0 ? undefined : index + 1;
}
