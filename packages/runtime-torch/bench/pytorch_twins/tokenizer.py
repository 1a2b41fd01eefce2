"""A port of @reca/core's word-level tokenizer (packages/core/src/tokenizer/word-level-tokenizer.ts, split-words.ts
and encode-text-batch.ts) and of the default tokenizer the diffusion and masked-autoregressive adapters build over
ShapesWorld's words (adapter-diffusion/src/default-tokenizer.ts; adapter-masked-autoregressive's
`shapesWorldWords`: the same words, so the same vocabulary).

Ids: <pad> 0, <bos> 1, <eos> 2, <unk> 3, then the words. The port leaves out what the twins never use: extra special
tokens, `onUnknown: 'error'`, decoding.
"""
import unicodedata

# JavaScript's \s: ASCII whitespace, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
_JAVASCRIPT_WHITESPACE = frozenset("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(chr(code) for code in range(0x2000, 0x200B)))


def _is_word_character(character):
    """[\\p{L}\\p{M}\\p{N}_]: a letter, a combining mark, a number or an underscore."""
    return character == "_" or unicodedata.category(character)[0] in "LMN"


def split_words(text):
    """splitWords: lowercases `text` and splits it into runs of letters, marks, digits and underscores and single
    other non-whitespace characters (the pattern /[\\p{L}\\p{M}\\p{N}_]+|[^\\s\\p{L}\\p{M}\\p{N}_]/gu)."""
    words, run = [], []
    for character in text.lower():
        if _is_word_character(character):
            run.append(character)
            continue
        if run:
            words.append("".join(run))
            run = []
        if character not in _JAVASCRIPT_WHITESPACE:
            words.append(character)
    if run:
        words.append("".join(run))
    return words


class WordLevelTokenizer:
    """WordLevelTokenizer: a fixed vocabulary; `encode` gives `<bos> word ids <eos>` (unknown words → <unk>)."""

    SPECIAL_TOKENS = ("<pad>", "<bos>", "<eos>", "<unk>")
    PAD, BEGIN, END, UNKNOWN = 0, 1, 2, 3

    def __init__(self, words):
        self.words = list(words)
        self.ids = {token: index for index, token in enumerate(list(self.SPECIAL_TOKENS) + self.words)}
        self.cache = {}

    @classmethod
    def from_texts(cls, texts):
        """WordLevelTokenizer.fromTexts (minCount 1): every word of `texts`, sorted by UTF-16 code units."""
        return cls(sorted({word for text in texts for word in split_words(text)}, key=lambda word: word.encode("utf-16-be")))

    @property
    def vocabulary_size(self):
        return len(self.SPECIAL_TOKENS) + len(self.words)

    def encode(self, text):
        """`<bos>`, the word ids, `<eos>` (a new list; cached per text)."""
        if text not in self.cache:
            self.cache[text] = [self.BEGIN] + [self.ids.get(word, self.UNKNOWN) for word in split_words(text)] + [self.END]
        return list(self.cache[text])

    def encode_batch(self, texts, max_length, padding):
        """encodeTextBatch with truncation and padding to the longest row: rows longer than `max_length` lose words
        from the end (<bos> and <eos> are kept), shorter ones are padded with <pad> on the `padding` side ('left' or
        'right'). Returns (ids, mask) as lists of rows, mask 1 at real tokens."""
        rows = []
        for text in texts:
            row = self.encode(text)
            if len(row) > max_length:
                row = row[:1] + row[1:-1][: max_length - 2] + row[-1:]
            rows.append(row)
        length = max(len(row) for row in rows)
        ids, mask = [], []
        for row in rows:
            pad = [self.PAD] * (length - len(row))
            ids.append(pad + row if padding == "left" else row + pad)
            ones, zeros = [1] * len(row), [0] * (length - len(row))
            mask.append(zeros + ones if padding == "left" else ones + zeros)
        return ids, mask


SHAPES_WORLD_WORDS = (
    "a an one two three four and of the left right above below image generate objects object shape shapes",
    "red green blue yellow magenta cyan circle circles square squares triangle triangles",
)
"""ShapesWorld's vocabulary (DESIGN.md §3): its colours, shapes (singular and plural) and caption/prompt words."""


def shapes_world_tokenizer(instructions, null_prompt="Generate an image."):
    """The adapters' default tokenizer: a word-level vocabulary over RecA's instruction pool, the null prompt and
    ShapesWorld's words (createDefaultTokenizer of @reca/adapter-diffusion; createMaskedAutoregressiveUmm's default)."""
    return WordLevelTokenizer.from_texts(list(instructions) + [null_prompt] + list(SHAPES_WORLD_WORDS))
