/**
 * Tokenised text meets a token model: which model input takes the token ids, the attention mask and the segment
 * ids (by the exporter's names: exact, then by pattern, then by what the graph does with the input), and whether the
 * data fits (ids inside the embedding table, a sequence length the model accepts, labels inside its logits).
 * Checked before any inference, so a wrong tokenizer or mapping is named with its file rather than surfacing as an
 * onnxruntime index error.
 */
import { Model } from '../onnx/ir';
import { OnnxModelError } from '../onnx/errors';
import { DeclaredInput, declaredInputs, fedInputs, hasSequenceAxis, shapeMap } from '../graphs/model-inputs';
import { foldShapes } from '../onnx/shape-folding/fold-shapes';
import { indexRange } from '../graphs/random-inputs';
import { TextDataset } from '../data/text/text-dataset';
import { padToLength, padValuesOf } from '../data/text/pad-to-length';
import { TokenDataset, TokenFeed, TokenRole } from '../data/text/token-feeds';
import { LoadedData } from './builtin-datasets';
import { ModelSignature } from './model-signature';

/** Hugging Face's names of the three tensors, as the data holds them. */
const DATA_NAMES: Record<TokenRole, string> = { inputIds: 'input_ids', attentionMask: 'attention_mask', tokenTypeIds: 'token_type_ids' };

/** Whether the model takes token ids (some integer data input) rather than an image. */
export function takesTokens(signature: ModelSignature): boolean {
  return signature.inputs.some((v) => v.dtype !== 'float32');
}

/** Each model input's token tensor; refuses inputs it cannot tell apart, naming the model's and the data's names. */
export function tokenFeeds(model: Model, inputs: readonly DeclaredInput[], modelPath: string): TokenFeed[] {
  const mismatch = (why: string): OnnxModelError =>
    new OnnxModelError(modelPath, `its inputs (${inputs.map((v) => `${v.name}: ${v.dtype}`).join(', ')}) do not match the data's token tensors (${Object.values(DATA_NAMES).join(', ')}): ${why}`);
  const roles = inputs.map((v) => roleByName(v.name));
  // Names that say nothing (input.1, onnx::Gather_0): the graph tells ids (the largest embedding table read), segment ids (another table) and the mask (no table).
  const tables = inputs.map((v) => indexRange(model.graph, v.name));
  const largest = Math.max(...tables.map((t) => t ?? -1));
  const feeds = inputs.map((v, i): TokenFeed => {
    if (v.dtype === 'float32') throw mismatch(`'${v.name}' is float32; the engine feeds token tensors as int64 or int32`);
    const role = roles[i] ?? (tables[i] === undefined ? 'attentionMask' : tables[i] === largest ? 'inputIds' : 'tokenTypeIds');
    return { name: v.name, role, dtype: v.dtype };
  });
  for (const role of Object.keys(DATA_NAMES) as TokenRole[]) {
    const taking = feeds.filter((f) => f.role === role);
    if (taking.length > 1) throw mismatch(`${taking.map((f) => `'${f.name}'`).join(' and ')} would both take ${DATA_NAMES[role]}`);
  }
  if (!feeds.some((f) => f.role === 'inputIds')) throw mismatch('none of them takes the token ids');
  return feeds;
}

/** The role a name says, if it says one: input_ids, attention_mask, token_type_ids, and their usual variants. */
function roleByName(name: string): TokenRole | undefined {
  const plain = name.toLowerCase().replace(/[^a-z]/g, '');
  if (plain.includes('mask')) return 'attentionMask';
  if (plain.includes('type') || plain.includes('segment')) return 'tokenTypeIds';
  if (plain === 'inputids' || plain === 'ids' || plain.endsWith('tokenids') || plain.endsWith('inputids')) return 'inputIds';
  return undefined;
}

/**
 * The splits as token datasets fed to `model`'s inputs, with the model's class count; refuses ids beyond its
 * embedding tables (naming the tokenizer or file they came from), a sequence length it does not accept, and
 * labels beyond its logits. For a model whose sequence length is fixed, shorter texts are padded to it.
 */
export function fitTokensToModel(model: Model, signature: ModelSignature, data: LoadedData<TextDataset>, modelPath: string): LoadedData<TokenDataset> {
  const feeds = tokenFeeds(model, signature.inputs, modelPath);
  const splits = [data.train, data.val, data.test];
  const origin = String(data.train.meta.tokenizer ?? data.train.meta.source ?? data.description);
  for (const feed of feeds) {
    const table = indexRange(model.graph, feed.name);
    if (table === undefined) continue;
    const largest = splits.reduce((m, s) => s[feed.role].reduce((a, v) => (v > a ? v : a), m), -1n);
    if (largest >= BigInt(table)) {
      throw new OnnxModelError(
        modelPath,
        `its input '${feed.name}' indexes a table of ${table} rows, but the data's ${DATA_NAMES[feed.role]} from ${origin} reach ${largest}: ` +
          (feed.role === 'inputIds' ? "the tokenizer's vocabulary is larger than the model's: use the tokenizer the model was trained with" : 'the data has more segments than the model'),
      );
    }
  }
  const fixed = fixedSequenceLength(signature, modelPath);
  if (fixed !== undefined && fixed < data.train.sequenceLength) {
    throw new OnnxModelError(modelPath, `its inputs take exactly ${fixed} tokens per text, but the data (${data.description}) is padded to ${data.train.sequenceLength}: pass --max-length ${fixed}`);
  }
  const length = fixed ?? data.train.sequenceLength;
  const accepted = longestAccepted(model, length);
  if (accepted < length) {
    throw new OnnxModelError(
      modelPath,
      `its graph takes texts of at most ${accepted} tokens (its position embeddings or another fixed size stop longer ones), but the data (${data.description}) is padded to ${length}: pass --max-length ${accepted}`,
    );
  }
  const classes = Math.max(...splits.map((s) => s.numClasses));
  if (classes > signature.classes) {
    throw new OnnxModelError(modelPath, `has ${signature.classes} outputs (classes), but the labels of the data (${data.description}) span ${classes} classes (0 to ${classes - 1}); every label must be below ${signature.classes}`);
  }
  const padded = fixed !== undefined ? padSplits(data, fixed) : data;
  const fit = (split: TextDataset): TokenDataset => ({ ...split, feeds, numClasses: signature.classes });
  return { ...padded, train: fit(padded.train), val: fit(padded.val), test: fit(padded.test) };
}

/**
 * The sequence length a model exported without a dynamic sequence axis takes (its token inputs' fixed axis 1);
 * undefined when the axis is dynamic. Refuses inputs that disagree, naming them.
 */
export function fixedSequenceLength(signature: ModelSignature, modelPath: string): number | undefined {
  const fixed = signature.inputs.filter((v) => v.dtype !== 'float32' && !v.sequenceAxis && typeof v.shape[1] === 'number');
  const lengths = [...new Set(fixed.map((v) => v.shape[1] as number))];
  if (lengths.length > 1) throw new OnnxModelError(modelPath, `its token inputs take different fixed lengths (${fixed.map((v) => `'${v.name}' ${v.shape[1]}`).join(', ')}): expected one sequence length for all of them`);
  return lengths[0];
}

/**
 * Every split padded to the model's fixed length, with the padding the data already uses (read from the first
 * split that pads, so that all three get the same), as `padding='max_length'` would have tokenised them.
 */
function padSplits(data: LoadedData<TextDataset>, length: number): LoadedData<TextDataset> {
  const splits = [data.train, data.val, data.test];
  const pad = padValuesOf(splits.find((s) => s.attentionMask.includes(0n)) ?? data.train);
  return { ...data, train: padToLength(data.train, length, pad), val: padToLength(data.val, length, pad), test: padToLength(data.test, length, pad) };
}

/**
 * The longest sequence (up to `wanted`) for which the model's shapes work out, by folding its shape arithmetic at
 * batch 1 (a binary search: shapes that fit at n fit below n, as position embeddings are sliced to n).
 */
export function longestAccepted(model: Model, wanted: number): number {
  const declared = declaredInputs(model);
  const fits = (n: number): boolean => {
    try {
      foldShapes(model.graph, shapeMap(fedInputs(declared, { batchSize: 1, sequenceLength: n })));
      return true;
    } catch {
      return false;
    }
  };
  if (!hasSequenceAxis(declared) || fits(wanted)) return wanted;
  let [lo, hi] = [0, wanted];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
