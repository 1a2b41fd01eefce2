import { tf } from '@reca/runtime';
import { expect, test } from 'vitest';
import { tokenizedBatchToTensors } from './tokenized-batch-to-tensors.js';
import { WordLevelTokenizer } from './word-level-tokenizer.js';

test('tokenizedBatchToTensors gives int32 [batch, length] tensors the caller disposes', () => {
  // Ids: <pad> 0, <bos> 1, <eos> 2, <unk> 3, a 4, circle 5, red 6.
  const tokenizer = new WordLevelTokenizer({ words: ['a', 'circle', 'red'] });
  const batch = tokenizer.encodeBatch(['a red circle', 'a circle'], { maxLength: 6 });
  const before = tf.memory().numTensors;
  const { ids, attentionMask } = tokenizedBatchToTensors(batch);
  expect(tf.memory().numTensors).toBe(before + 2);
  expect(ids.dtype).toBe('int32');
  expect(attentionMask.dtype).toBe('int32');
  expect(ids.shape).toEqual([2, 6]);
  expect(ids.arraySync()).toEqual([
    [1, 4, 6, 5, 2, 0],
    [1, 4, 5, 2, 0, 0],
  ]);
  expect(attentionMask.arraySync()).toEqual([
    [1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 0, 0],
  ]);
  ids.dispose();
  attentionMask.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
