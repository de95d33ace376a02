/**
 * A BERT-style WordPiece tokenizer.json (Hugging Face's format, as `tokenizer.save_pretrained` writes it:
 * lower-casing BertNormalizer, BertPreTokenizer, [CLS] … [SEP] template, WordPiece model) whose vocabulary is
 * made from texts, deterministically: the special tokens, every character the texts use (alone and as a "##"
 * continuation, so any word made of them tokenises), the words that must be whole (e.g. names), then the most
 * frequent words (ties in code-point order) until the vocabulary is full. Words are counted as the tokenizer
 * itself splits them: by @huggingface/tokenizers' own normaliser and pre-tokeniser, built from the same JSON.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface VocabularyOptions {
  /** Entries in all, special tokens and characters included (more characters than that is an error). */
  readonly size: number;
  /** Words given a whole entry whatever their count (before the frequent ones). */
  readonly wholeWords?: readonly string[];
  /** Least count of a word to get an entry (default 2). */
  readonly minCount?: number;
}

/** The tokenizer.json for the texts, as a JSON object ready to be written. */
export function buildWordPieceTokenizer(texts: readonly string[], options: VocabularyOptions): Record<string, unknown> {
  const splitter = new Tokenizer(tokenizerJson(new Map(SPECIAL_TOKENS.map((t, i) => [t, i]))), {});
  const words = (text: string): string[] => {
    const normalizer = splitter.normalizer;
    const pre = splitter.pre_tokenizer;
    if (!normalizer || !pre) throw new Error('the WordPiece template lost its normaliser or pre-tokeniser');
    return pre.pre_tokenize_text(normalizer.normalize(text));
  };
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocab = new Map<string, number>(SPECIAL_TOKENS.map((t, i) => [t, i]));
  const add = (token: string): void => {
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  };
  const characters = [...new Set([...counts.keys()].flatMap((w) => [...w]))].sort(byCodePoint);
  for (const c of characters) add(c);
  for (const c of characters) add(`##${c}`);
  if (vocab.size > options.size) throw new Error(`a vocabulary of ${options.size} entries cannot hold the texts' ${characters.length} characters (twice) and ${SPECIAL_TOKENS.length} special tokens`);
  for (const w of (options.wholeWords ?? []).flatMap(words)) if (vocab.size < options.size) add(w);
  const minCount = options.minCount ?? 2;
  const frequent = [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]));
  for (const [w] of frequent) {
    if (vocab.size >= options.size) break;
    add(w);
  }
  return tokenizerJson(vocab);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokenizerJson(vocab: ReadonlyMap<string, number>): Record<string, unknown> {
  const id = (token: string): number => vocab.get(token) as number;
  const special = (token: string) => ({ id: id(token), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const sequence = (name: 'A' | 'B', typeId: number) => ({ Sequence: { id: name, type_id: typeId } });
  const token = (name: string, typeId: number) => ({ SpecialToken: { id: name, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: id('[PAD]'), pad_type_id: 0, pad_token: '[PAD]' },
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0)],
      pair: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0), sequence('B', 1), token('[SEP]', 1)],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
}
