/**
 * The built-in text benchmark spam-names (data/text/spam-names.ts): deterministic in its seed, the name's gender
 * agreeing with the label in exactly a ρ share of each class in train and validation and in half of each in test,
 * every name from its gender's pool, splits disjoint and stratified; its WordPiece tokenizer.json (wordpiece-vocab.ts)
 * is loaded by the loader of a user's tokenizer, keeps every pool name whole and is the same whatever ρ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpamNamesTexts, spamNamesTexts, spamNamesTokenizerJson, tokenizeSpamNames } from '../../../src/core/data/text/spam-names';
import { readSpamAssassin, SPAM } from '../../../src/core/data/text/spam-assassin';
import { emailText } from '../../../src/core/data/text/email-text';
import { loadTextTokenizer } from '../../../src/core/data/text/text-tokenizer';

const corpus = readSpamAssassin(300);
const sizes = { trainSize: 600, valSize: 200, testSize: 400 };
const splits = ['train', 'val', 'test'] as const;

/** Share of rows whose gender is the label's own (ham ↔ female 0, spam ↔ male 1), per class. */
function agreement(t: SpamNamesTexts, split: (typeof splits)[number]): number[] {
  return [0, 1].map((label) => {
    const rows = [...t.y[split].keys()].filter((i) => t.y[split][i] === label);
    return rows.filter((i) => t.gender[split][i] === label).length / rows.length;
  });
}

test('the SpamAssassin corpus: 6,046 emails, 1,896 spam, each a short readable text', () => {
  assert.equal(corpus.texts.length, 6046);
  assert.equal(corpus.labels.filter((y) => y === SPAM).length, 1896);
  assert.ok(corpus.texts.every((t) => t.length <= 1000 && !/<\/?(html|body|div|p|br|font|table|td)\b/i.test(t)));
  const raw = 'From: a@b.c\nSubject: Cheap  meds\n\tnow\nContent-Transfer-Encoding: quoted-printable\n\n<html><b>Buy</b> at http://x.y &amp; save=\nd =3D now</html>';
  assert.equal(emailText(raw, 300), 'Cheap meds now. Buy at & saved = now');
  assert.equal(emailText(raw, 12), 'Cheap meds now. Buy at &');
});

test('spam-names: the same seed gives the same splits and names; another seed others', () => {
  const a = spamNamesTexts({ rho: 0.9, seed: 3, ...sizes }, corpus);
  const b = spamNamesTexts({ rho: 0.9, seed: 3, ...sizes }, corpus);
  const c = spamNamesTexts({ rho: 0.9, seed: 4, ...sizes }, corpus);
  assert.deepEqual(a.texts, b.texts);
  assert.deepEqual(a.gender, b.gender);
  assert.notDeepEqual(a.texts.train, c.texts.train);
  assert.deepEqual(splits.map((s) => a.y[s].length), [600, 200, 400]);
  // Disjoint: no email in two splits (texts without names are the emails).
  const seen = new Map<string, number>();
  for (const s of splits) for (const t of a.unnamed[s]) seen.set(t, (seen.get(t) ?? 0) + 1);
  const duplicates = corpus.texts.length - new Set(corpus.texts).size;
  assert.ok([...seen.values()].filter((n) => n > 1).length <= duplicates);
  // Stratified: each split has the corpus' spam share (1,896 / 6,046) to within one email.
  for (const s of splits) assert.ok(Math.abs(a.y[s].reduce((n, y) => n + y, 0) - (a.y[s].length * 1896) / 6046) <= 1, s);
});

test('spam-names: gender agrees with the label at ρ in train and validation, at one half in test; names come from their gender', () => {
  const t = spamNamesTexts({ rho: 0.95, seed: 0, ...sizes }, corpus);
  for (const s of ['train', 'val'] as const) for (const share of agreement(t, s)) assert.ok(Math.abs(share - 0.95) < 0.01, `${s}: ${share}`);
  for (const share of agreement(t, 'test')) assert.ok(Math.abs(share - 0.5) < 0.01, `test: ${share}`);
  for (const s of splits) {
    t.texts[s].forEach((text, i) => {
      const name = text.slice(0, text.indexOf(' wrote: '));
      assert.ok(t.names[t.gender[s][i]].includes(name), `${s} ${i}: ${name}`);
      assert.equal(text, `${name} wrote: ${t.unnamed[s][i]}`);
    });
  }
  assert.equal(new Set([...t.names[0], ...t.names[1]]).size, t.names[0].length + t.names[1].length);
});

test('spam-names: its tokenizer.json loads like a user\'s, keeps names whole, caps the length, and does not depend on ρ', () => {
  const t = spamNamesTexts({ rho: 0.95, seed: 0, ...sizes }, corpus);
  const json = spamNamesTokenizerJson(t);
  assert.deepEqual(json, spamNamesTokenizerJson(spamNamesTexts({ rho: 0.6, seed: 0, ...sizes }, corpus)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-spam-names-'));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  const tokenizer = loadTextTokenizer(dir);
  assert.equal(tokenizer.padToken, '[PAD]');
  for (const name of [...t.names[0], ...t.names[1]]) assert.deepEqual(tokenizer.tokenizer.tokenize(`${name} wrote:`), [name.toLowerCase(), 'wrote', ':']);
  const data = tokenizeSpamNames(t, tokenizer, 48);
  assert.equal(data.train.sequenceLength, 48);
  assert.deepEqual(data.test.biases[0], t.gender.test);
  assert.deepEqual(data.val.y, t.y.val);
  assert.equal(data.train.meta.biasNames?.toString(), 'first name gender');
  // Every row starts with [CLS] and its name.
  const cls = tokenizer.tokenizer.token_to_id('[CLS]');
  assert.ok(Array.from({ length: data.train.y.length }, (_, i) => data.train.inputIds[i * 48]).every((id) => id === BigInt(cls as number)));
});
