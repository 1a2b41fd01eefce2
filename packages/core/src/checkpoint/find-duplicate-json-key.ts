/** Where a duplicate key was found: the key and the keys of the objects that enclose it, outermost first. */
export interface DuplicateJsonKey {
  readonly key: string;
  readonly objectPath: readonly string[];
}

interface ObjectFrame {
  readonly kind: 'object';
  readonly keys: Set<string>;
  readonly path: readonly string[];
  expectingKey: boolean;
  currentKey: string | undefined;
}

interface ArrayFrame {
  readonly kind: 'array';
  readonly path: readonly string[];
}

/**
 * Finds the first object key that appears twice in the same JSON object. `JSON.parse` silently keeps the last one,
 * and safetensors must reject a header that names a tensor twice.
 *
 * @param text - JSON text that `JSON.parse` has already accepted (this scanner does not check the syntax).
 * @returns the duplicate, or `undefined` when every object's keys are distinct.
 */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | undefined {
  const stack: Array<ObjectFrame | ArrayFrame> = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    const top = stack[stack.length - 1];
    if (character === '{' || character === '[') {
      const parentPath = top === undefined ? [] : top.kind === 'object' ? [...top.path, top.currentKey ?? ''] : top.path;
      stack.push(
        character === '{'
          ? { kind: 'object', keys: new Set(), path: parentPath, expectingKey: true, currentKey: undefined }
          : { kind: 'array', path: parentPath },
      );
      index += 1;
    } else if (character === '}' || character === ']') {
      stack.pop();
      index += 1;
    } else if (character === ',') {
      if (top?.kind === 'object') top.expectingKey = true;
      index += 1;
    } else if (character === '"') {
      let end = index + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectingKey) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (top.keys.has(key)) return { key, objectPath: top.path };
        top.keys.add(key);
        top.currentKey = key;
        top.expectingKey = false;
      }
      index = end + 1;
    } else {
      index += 1;
    }
  }
  return undefined;
}
