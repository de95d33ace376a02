/**
 * Command-line flags of `npm run bench:scale`:
 *
 *   --repeats N        timed repetitions per measurement, median reported (default 5; warm-up runs are extra)
 *   --warmup N         untimed runs before the timed ones (default 2)
 *   --threads N        intra-op threads for onnxruntime and PyTorch (default: one per core)
 *   --only a,b         sections to run, printed in this order: step, pruned, memory, scaling, train, families, imagenet,
 *                      transformers (default: all)
 *   --batches 25,50    batch sizes of the scaling section (default 25,50,100,200)
 *   --widths 0.5,1     SimpleConvNet channel-width factors of the scaling section (default 0.5,1,2)
 *   --batch N          batch of the step, pruned, memory, train and families sections (default 100)
 *   --families a,b     torchvision families of the families section (default: all of FAMILIES, ./families.ts)
 *   --imagenet-batch N batch of the imagenet section (ResNet-18/50 at 224×224; default 32, as issue 14 asks)
 *   --transformer-batch N  batch of the transformers section (bert-mini and ViT; default 32, as issue 13 asks)
 *   --sequence N       bert-mini's tokens per row in the transformers section (default 128, at most its 128 positions)
 *   --no-torch         skip the PyTorch reference
 */
import { defaultThreads } from '../../src/core/runtime/session';
import { BERT_MINI } from '../../src/core/models/bert-mini';
import { FAMILIES, Family } from './families';

export const SECTIONS = ['step', 'pruned', 'memory', 'scaling', 'train', 'families', 'imagenet', 'transformers'] as const;
export type Section = (typeof SECTIONS)[number];

export interface ScaleBenchOptions {
  readonly repeats: number;
  readonly warmup: number;
  readonly threads: number;
  readonly batch: number;
  readonly imagenetBatch: number;
  readonly transformerBatch: number;
  readonly sequence: number;
  readonly sections: readonly Section[];
  readonly batches: readonly number[];
  readonly widths: readonly number[];
  readonly families: readonly Family[];
  readonly torch: boolean;
}

export function parseScaleBenchArgs(argv: readonly string[]): ScaleBenchOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const positiveInt = (flag: string, fallback: number, min = 1): number => {
    const raw = value(flag);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got '${raw}'`);
    return n;
  };
  const positiveList = (flag: string, fallback: readonly number[]): number[] => {
    const raw = value(flag);
    if (raw === undefined) return [...fallback];
    const xs = raw.split(',').map(Number);
    if (xs.length === 0 || xs.some((x) => !(x > 0))) throw new Error(`${flag} must be a comma-separated list of positive numbers, got '${raw}'`);
    return xs;
  };
  const known = new Set(['--repeats', '--warmup', '--threads', '--only', '--batches', '--widths', '--batch', '--families', '--imagenet-batch', '--transformer-batch', '--sequence', '--no-torch']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown flag ${a} (known: ${[...known].join(', ')})`);
  const only = value('--only');
  const sections = only === undefined ? [...SECTIONS] : only.split(',').map((s) => s.trim());
  const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})`);
  const batches = positiveList('--batches', [25, 50, 100, 200]);
  if (batches.some((b) => !Number.isInteger(b))) throw new Error('--batches must be whole numbers');
  const familyNames = value('--families')?.split(',').map((s) => s.trim()) ?? FAMILIES.map((f) => f.name);
  const badFamilies = familyNames.filter((f) => !FAMILIES.some((k) => k.name === f));
  if (badFamilies.length > 0) throw new Error(`--families: unknown famil${badFamilies.length > 1 ? 'ies' : 'y'} ${badFamilies.join(', ')} (known: ${FAMILIES.map((f) => f.name).join(', ')})`);
  const sequence = positiveInt('--sequence', 128);
  if (sequence > BERT_MINI.positions) throw new Error(`--sequence must be at most ${BERT_MINI.positions} (bert-mini's positions), got ${sequence}`);
  return {
    repeats: positiveInt('--repeats', 5),
    warmup: positiveInt('--warmup', 2, 0),
    threads: positiveInt('--threads', defaultThreads()),
    batch: positiveInt('--batch', 100),
    imagenetBatch: positiveInt('--imagenet-batch', 32),
    transformerBatch: positiveInt('--transformer-batch', 32),
    sequence,
    sections: SECTIONS.filter((s) => sections.includes(s)),
    batches,
    widths: positiveList('--widths', [0.5, 1, 2]),
    families: FAMILIES.filter((f) => familyNames.includes(f.name)),
    torch: !argv.includes('--no-torch'),
  };
}
