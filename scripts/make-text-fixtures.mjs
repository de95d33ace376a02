// Writes the text-data fixtures of test/fixtures/text/: two small Hugging Face tokenizers (a BERT-style WordPiece
// and a RoBERTa-style byte-level BPE), a few sentences chosen to exercise their normalisers and pre-tokenisers,
// and the ids Hugging Face's own Rust `tokenizers` library gives them, with truncation=True and padding='longest'
// (at two length caps), as the reference the pure-JavaScript tokenisation is checked against. Also a tiny CSV
// and JSONL dataset of those sentences.
//
// Dev only, never run in CI (the outputs are committed). The reference is the `tokenizers` npm package: the Rust
// library itself, bound to Node by Hugging Face (the same code as Python's `tokenizers`; Debian packages neither
// it nor transformers). It is a native addon, so it is installed into a temp folder, never into the project:
//
//     node scripts/make-text-fixtures.mjs
//
// The output is deterministic: rerunning gives byte-identical files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REFERENCE = 'tokenizers@0.23.2';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test', 'fixtures', 'text');

function loadReference() {
  const prefix = join(tmpdir(), 'bise-hf-tokenizers-reference');
  if (!existsSync(join(prefix, 'node_modules', 'tokenizers'))) {
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', REFERENCE], { stdio: 'inherit' });
  }
  return createRequire(join(prefix, 'index.js'))('tokenizers');
}

// Chosen to reach every path of the BERT normaliser and pre-tokeniser: case, accents, CJK (one character in the
// vocabulary, one not), punctuation, digits, control characters and odd whitespace, an emoji, an unknown word,
// sub-words, a word longer than max_input_chars_per_word, the empty text, a special token written in the text,
// and two long sentences for truncation.
const SENTENCES = [
  'The cat sat on the mat.',
  'Unbelievable!! The DOGS were sitting, weren\'t they?',
  'Café naïve résumé — Ångström',
  '中文 text 中',
  'Call 555-0199 at 10:30, or e-mail me@example.com',
  'tabs\tand\nnewlines\r\n and  double  spaces\u00a0nbsp',
  'control\u0000chars\u0007here\u200b and emoji 🙂 ok',
  'xyzzyplugh is not a word',
  'a'.repeat(30),
  '',
  'this has [MASK] in it and [SEP] too',
  'the quick brown fox jumps over the lazy dog and the cat sat on the mat while the dogs were sitting',
  'She is a nurse; he is a doctor. They work at the hospital in the city.',
];

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = (
  'the cat sat on mat dog were sit they weren t she he is a nurse doctor work at hospital in city quick brown fox ' +
  'jump over lazy and while this has it too text not word call or e mail me example com tab new line double space ' +
  'control char here emoji ok un believ cafe naive resume angstrom'
).split(' ');
const SUFFIXES = ['##s', '##ing', '##able', '##ed', '##er', '##ly'];
const PUNCT = [...'.,!?;:\'"-—()@[]'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** A BERT-format vocabulary: specials, punctuation, words, single characters and their ## forms, one CJK character. */
function wordPieceVocab() {
  const tokens = [...SPECIALS, ...PUNCT, ...new Set(WORDS), ...SUFFIXES, ...LETTERS, ...LETTERS.map((c) => `##${c}`), '中'];
  return Object.fromEntries([...new Set(tokens)].map((t, i) => [t, i]));
}

function added(content, id) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** bert-base-uncased's tokenizer.json as `transformers` writes it today, with a small vocabulary. */
function wordPieceTokenizer() {
  const vocab = wordPieceVocab();
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((t) => added(t, vocab[t])),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 20, vocab },
  };
}

/** GPT-2's byte-to-character table, as ByteLevel uses it. */
function byteChars() {
  const keep = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const chars = new Array(256);
  keep.forEach((b) => (chars[b] = String.fromCodePoint(b)));
  let next = 0;
  for (let b = 0; b < 256; b++) if (chars[b] === undefined) chars[b] = String.fromCodePoint(256 + next++);
  return chars;
}

/** roberta-base's tokenizer.json layout (pad id 1, </s> as end token), with a small vocabulary and merges. */
function byteLevelBpeTokenizer() {
  const specials = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'];
  const chars = byteChars();
  const space = chars[0x20];
  // Merges learned by hand from the sentences: a few whole words (with and without the leading space), so that
  // both merged words and byte fall-back pieces occur.
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'is', 'a', 'and', 'in', 'it', 'at'];
  const merges = [];
  const vocabTokens = [...specials, ...chars];
  const addMerge = (left, right) => {
    const merged = left + right;
    if (!merges.some(([l, r]) => l === left && r === right)) merges.push([left, right]);
    if (!vocabTokens.includes(merged)) vocabTokens.push(merged);
    return merged;
  };
  for (const word of words) {
    for (const start of [word, space + word]) {
      let piece = start[0];
      for (const c of start.slice(1)) piece = addMerge(piece, c);
    }
  }
  const vocab = Object.fromEntries(vocabTokens.map((t, i) => [t, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => ({ ...added(t, vocab[t]), lstrip: t === '<mask>' })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', vocab['</s>']], cls: ['<s>', vocab['<s>']], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** What `AutoTokenizer(...)(texts, truncation=True, max_length=cap, padding='longest')` returns, via the Rust library. */
async function referenceBatch(hf, json, padToken, cap) {
  const tokenizer = hf.Tokenizer.fromString(JSON.stringify(json));
  if (cap !== null) tokenizer.setTruncation(cap);
  tokenizer.setPadding({ padId: tokenizer.tokenToId(padToken), padToken });
  const encodings = await tokenizer.encodeBatch(SENTENCES);
  return {
    maxLength: cap,
    input_ids: encodings.map((e) => e.getIds()),
    attention_mask: encodings.map((e) => e.getAttentionMask()),
    token_type_ids: encodings.map((e) => e.getTypeIds()),
    tokens: encodings.map((e) => e.getTokens()),
  };
}

/** One line per row, so that the committed JSON diffs readably. */
function compactJson(value, indent = '') {
  if (Array.isArray(value) && value.every((v) => !Array.isArray(v) && (typeof v !== 'object' || v === null))) return JSON.stringify(value);
  if (Array.isArray(value)) return `[\n${value.map((v) => `${indent}  ${compactJson(v, `${indent}  `)}`).join(',\n')}\n${indent}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${compactJson(v, `${indent}  `)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function main() {
  const hf = loadReference();
  const tokenizers = [
    { name: 'wordpiece', json: wordPieceTokenizer(), pad: '[PAD]', config: { do_lower_case: true, model_max_length: 512, pad_token: '[PAD]', tokenizer_class: 'BertTokenizer' } },
    { name: 'bytelevel-bpe', json: byteLevelBpeTokenizer(), pad: '<pad>', config: { model_max_length: 512, pad_token: '<pad>', tokenizer_class: 'RobertaTokenizer' } },
  ];
  const expected = { reference: `npm ${REFERENCE} (Hugging Face's Rust tokenizers)`, sentences: SENTENCES, tokenizers: {} };
  for (const { name, json, pad, config } of tokenizers) {
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    // Saved by the Rust library itself, so the file is exactly what a model's folder holds.
    hf.Tokenizer.fromString(JSON.stringify(json)).save(join(dir, 'tokenizer.json'), true);
    writeFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
    expected.tokenizers[name] = { padToken: pad, batches: [await referenceBatch(hf, json, pad, null), await referenceBatch(hf, json, pad, 9)] };
  }
  writeFileSync(join(out, 'expected-ids.json'), `${compactJson(expected)}\n`);

  // The sentences as a dataset: target toxic (0/1), bias identity (names), split fixed so that every split has rows.
  const identity = SENTENCES.map((_, i) => (i % 3 === 0 ? 'female' : i % 3 === 1 ? 'male' : 'none'));
  const toxic = SENTENCES.map((_, i) => (i % 2 === 0 ? 1 : 0));
  const split = SENTENCES.map((_, i) => (i < 9 ? 'train' : i < 11 ? 'val' : 'test'));
  const csv = ['comment_text,toxic,identity,split', ...SENTENCES.map((t, i) => [csvField(t), toxic[i], identity[i], split[i]].join(','))];
  writeFileSync(join(out, 'comments.csv'), `${csv.join('\n')}\n`);
  const jsonl = SENTENCES.map((t, i) => JSON.stringify({ comment_text: t, toxic: toxic[i] === 1, identity: identity[i], split: split[i] }));
  writeFileSync(join(out, 'comments.jsonl'), `${jsonl.join('\n')}\n`);
}

await main();
