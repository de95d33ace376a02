/**
 * A transformer's mask groups by block (src/core/report/transformer-blocks.ts): the labels unit discovery gives the
 * BERT-style fixture place every group in its block with the right unit kind; report.json gains `transformerBlocks`
 * (which heads and neurons each block lost) and report.md a table of them; other models' reports are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readModelFile } from '../../../src/core/onnx/reader';
import { modelSignature } from '../../../src/core/jobs/model-signature';
import { discoverModelUnits } from '../../../src/core/jobs/model-analysis';
import { blockPath, blockPlaces, isHeadsLabel, transformerBlocks } from '../../../src/core/report/transformer-blocks';
import { reportFolderEntries } from '../../../src/core/report/report-files';
import { parseReport, type BiseReport, type MaskRecord } from '../../../src/core/report/schema';
import { LISTED_NEURONS } from '../../../src/core/report/markdown-blocks';
import { sampleReport } from './sample-report';

const BERT = path.join(__dirname, '..', '..', 'fixtures', 'text', 'wordpiece', 'bert-tiny.onnx');
const files = { prunedModel: new Uint8Array([1]), masksJson: '{}' };

test("the engine's labels of bert-tiny's groups (units both) place heads and MLP neurons in their blocks; the pooler in none", () => {
  const model = readModelFile(BERT);
  const io = modelSignature(model, BERT);
  const d = discoverModelUnits(model, BERT, io, undefined, 'both');
  const places = blockPlaces(d.groups.map((g) => g.label));
  const seen = d.groups.map((g, i) => [g.kind ?? 'units', places[i]?.name ?? null, places[i]?.kind ?? null]);
  assert.deepEqual(seen, [
    ['heads', 'layer.0', 'heads'],
    ['units', 'layer.0', 'neurons'],
    ['heads', 'layer.1', 'heads'],
    ['units', 'layer.1', 'neurons'],
    ['units', null, null],
  ]);
  // Exactly the discovery's heads groups read as heads.
  assert.deepEqual(
    d.groups.map((g) => isHeadsLabel(g.label)),
    d.groups.map((g) => g.kind === 'heads'),
  );
});

test('blocks are the first numbered module of a path, named short unless two blocks share the name; CNNs are not placed', () => {
  assert.equal(blockPath('/encoder/layers/encoder_layer_3/mlp/mlp.0/MatMul'), '/encoder/layers/encoder_layer_3');
  assert.equal(blockPath('/transformer/h.11/attn heads'), '/transformer/h.11');
  assert.equal(blockPath('/attn/q/MatMul + 2 coupled (heads)'), null);
  assert.equal(blockPath('/pooler/dense/Gemm'), null);
  const cnn = ['/layer1/layer1.0/conv1/Conv', '/layer1/layer1.1/conv1/Conv'];
  assert.deepEqual(blockPlaces(cnn), [null, null]);
  const twoStacks = blockPlaces(['/encoder/layer.0/attention/self heads', '/decoder/layer.0/intermediate/dense/MatMul']);
  assert.deepEqual(
    twoStacks.map((p) => p?.name),
    ['encoder/layer.0', 'decoder/layer.0'],
  );
  // A text model gated without heads: the caller says it is a transformer.
  assert.deepEqual(
    blockPlaces(['/bert/encoder/layer.0/intermediate/dense/MatMul'], true).map((p) => p && [p.name, p.kind]),
    [['layer.0', 'neurons']],
  );
});

function mask(group: number, label: string, keep: boolean[]): MaskRecord {
  return { group, label, producers: [label], sites: [`${label}_output`], logits: keep.map((k) => (k ? 1 : -1)), keep };
}

function bertReport(units: 'both' | 'mlp'): BiseReport {
  const base = sampleReport();
  const neurons = (removed: number[]): boolean[] => Array.from({ length: 64 }, (_, u) => !removed.includes(u));
  const heads = [
    mask(0, '/bert/encoder/layer.0/attention/self heads', [true, false, true, false]),
    mask(2, '/bert/encoder/layer.1/attention/self heads', [true, true, true, true]),
  ];
  const mlp = [
    mask(1, '/bert/encoder/layer.0/intermediate/dense/MatMul', neurons([3, 7])),
    mask(3, '/bert/encoder/layer.1/intermediate/dense/MatMul', neurons(Array.from({ length: 20 }, (_, i) => 2 * i))),
  ];
  const masks = units === 'both' ? [heads[0], mlp[0], heads[1], mlp[1]] : mlp;
  return { ...base, config: { ...base.config, dataset: 'text-file', units }, masks: [...masks, mask(4, '/bert/pooler/dense/Gemm', [true, false])] };
}

test('report.json says which heads and neurons each block lost; report.md lists heads, and neurons when few', () => {
  const { report, entries } = reportFolderEntries(bertReport('both'), files);
  assert.deepEqual(report.transformerBlocks, [
    {
      block: '/bert/encoder/layer.0',
      groups: [
        { group: 0, kind: 'heads', units: 4, removed: [1, 3] },
        { group: 1, kind: 'neurons', units: 64, removed: [3, 7] },
      ],
    },
    {
      block: '/bert/encoder/layer.1',
      groups: [
        { group: 2, kind: 'heads', units: 4, removed: [] },
        { group: 3, kind: 'neurons', units: 64, removed: Array.from({ length: 20 }, (_, i) => 2 * i) },
      ],
    },
  ]);
  const json = entries.find((e) => e.path === 'report.json')?.content as string;
  assert.deepEqual(parseReport(json, 'report.json').transformerBlocks, report.transformerBlocks);
  const md = entries.find((e) => e.path === 'report.md')?.content as string;
  assert.match(md, /### Transformer blocks/);
  assert.match(md, /\| Block \| Attention heads removed \| MLP neurons removed \|/);
  assert.match(md, /\| layer\.0 \| 2 of 4 \(heads 1, 3\) \| 2 of 64 \(3, 7\) \|/);
  // 20 neurons are more than a cell lists: the count, and report.json for the indices.
  assert.ok(20 > LISTED_NEURONS);
  assert.match(md, /\| layer\.1 \| 0 of 4 \| 20 of 64 \|/);
  assert.match(md, /report\.json's transformerBlocks lists every removed head and neuron/);
});

test('a text model gated on its MLP neurons only: neurons per block, and the note that heads were not gated', () => {
  const { report, entries } = reportFolderEntries(bertReport('mlp'), files);
  assert.deepEqual(
    report.transformerBlocks?.map((b) => b.groups.map((g) => g.kind)),
    [['neurons'], ['neurons']],
  );
  const md = entries.find((e) => e.path === 'report.md')?.content as string;
  assert.match(md, /\| Block \| MLP neurons removed \|/);
  assert.match(md, /Attention heads were not gated \(units: mlp\)\./);
});

test("a CNN's report has no transformerBlocks and no block table; a stale or wrong one is replaced or refused", () => {
  const cnn = sampleReport();
  const { report, entries } = reportFolderEntries({ ...cnn, transformerBlocks: [{ block: 'x', groups: [] }] }, files);
  assert.equal('transformerBlocks' in report, false);
  assert.doesNotMatch(entries.find((e) => e.path === 'report.md')?.content as string, /Transformer blocks/);
  const bad = JSON.stringify({ ...report, transformerBlocks: [{ block: 'b', groups: [{ group: 0, kind: 'heads', units: 4, removed: [4] }] }] });
  assert.throws(() => parseReport(bad, 'report.json'), /report\.json: transformerBlocks\[0\]\.groups\[0\]\.removed: lists units outside the group's 4/);
});

test('transformerBlocks keeps the blocks in the order of their groups', () => {
  const blocks = transformerBlocks([
    { group: 0, label: '/m/layer.1/attention/self heads', keep: [false, true] },
    { group: 1, label: '/m/layer.0/attention/self heads', keep: [true, true] },
  ]);
  assert.deepEqual(
    blocks.map((b) => b.block),
    ['/m/layer.1', '/m/layer.0'],
  );
});
