/**
 * Orders two strings by their UTF-8 bytes (equivalently by Unicode code points), as Rust's `str` ordering does.
 * JavaScript's `<` compares UTF-16 code units, which differs for characters above U+FFFF.
 */
export function compareUtf8(left: string, right: string): number {
  let leftIndex = 0;
  let rightIndex = 0;
  while (leftIndex < left.length && rightIndex < right.length) {
    const leftPoint = left.codePointAt(leftIndex) as number;
    const rightPoint = right.codePointAt(rightIndex) as number;
    if (leftPoint !== rightPoint) return leftPoint < rightPoint ? -1 : 1;
    leftIndex += leftPoint > 0xffff ? 2 : 1;
    rightIndex += rightPoint > 0xffff ? 2 : 1;
  }
  const leftDone = leftIndex >= left.length;
  const rightDone = rightIndex >= right.length;
  return leftDone === rightDone ? 0 : leftDone ? -1 : 1;
}
