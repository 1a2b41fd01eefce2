import { test } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
test('x', () => {
  const bpe = {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<unk>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
      { id: 1, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
      { id: 2, content: '</s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }], pair: [], special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } } },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, '▁': 3, l: 4, o: 5, w: 6, e: 7, r: 8, s: 9, t: 10, n: 11, '▁l': 12, '▁lo': 13, '▁low': 14, er: 15, es: 16, est: 17, '▁n': 18 },
      merges: ['▁ l', '▁l o', '▁lo w', 'e r', 'e s', 'es t', '▁ n'] },
  };
  const t = new Tokenizer(bpe, {});
  for (const s of ['lower lowest', 'newest', 'lowz', '<s>low']) {
    const e = t.encode(s);
    console.log(s, JSON.stringify(e.tokens), JSON.stringify(e.ids), JSON.stringify(t.decode(e.ids, { skip_special_tokens: true })));
  }
});
