#!/usr/bin/env bash
# The built-in text benchmark of docs/RESULTS.md (issue 13 item 6): a BERT-style classifier trained from scratch
# by `bise train --architecture bert-mini` on spam-names (SpamAssassin spam/ham, a first name in front of each
# email whose gender agrees with the label at ρ in train and validation, independent in test), then `bise extract`
# (BISE, with the random and magnitude baselines in its report), then `bise finetune` of the BISE subnetwork
# (BISE+FT) and of the vanilla model (vanilla+FT) with the group-reweighted loss, then the table: unbiased,
# aligned, conflicting and worst-group test accuracy (the worst of the four (label, gender) groups, as
# CivilComments reports it).
#
# Usage: scripts/results-text.sh [train] [extract] [finetune] [table]   (default: all four)
#   OUT=dir      where the model, its tokenizer.json, the report folder and the logs go (default: results/text, not
#                committed)
#   RHO=ρ        bias alignment of train and validation (default: 0.95)
#   SEED=n       mask-learning seed of extract (default: 0; the data split, the tokenizer and the model stay the same)
#   MASK_INIT=m  initial mask logit of extract (default: 0.1, as the demo schedule; the authors start at 0)
#   UNITS=u      units extract gates: mlp (default, as the authors gate BERT), heads or both
#   THREADS=n    onnxruntime intra-op threads (default: 2)
# Every step skips what is already finished, so an interrupted run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-results/text}"
RHO="${RHO:-0.95}"
SEED="${SEED:-0}"
MASK_INIT="${MASK_INIT:-0.1}"
UNITS="${UNITS:-mlp}"
THREADS="${THREADS:-2}"
mkdir -p "$OUT"
bise() { node --import tsx src/cli/main.ts "$@"; }
DATA=(--dataset spam-names --rho "$RHO" --threads "$THREADS")
# Adam without weight decay: coupled decay would shrink every embedding row a batch does not use by ~lr per step.
OPTIMISER=(--optimizer adam --weight-decay 0 --batch-size 32 --schedule cosine)
MODEL="$OUT/spam-names-rho$RHO-bert-mini.onnx"
RUN="rho$RHO-seed$SEED-init$MASK_INIT$([ "$UNITS" = mlp ] || echo "-$UNITS")"
REPORT="$OUT/$RUN.bise"
SUBNETWORK="$REPORT/spam-names-rho$RHO-bert-mini.bise.onnx"

train() {
  [ ! -f "$MODEL" ] || return 0
  local t0=$SECONDS
  bise train --architecture bert-mini "${DATA[@]}" "${OPTIMISER[@]}" --lr 0.001 --epochs 5 --out "$MODEL" > "$OUT/train-rho$RHO.log" 2>&1
  echo "train ρ=$RHO: $((SECONDS - t0)) s"
}

extract() {
  [ ! -f "$REPORT/report.json" ] || return 0
  local t0=$SECONDS
  bise extract "$MODEL" "${DATA[@]}" --tau-period 2 --aux-epochs 10 --mask-init "$MASK_INIT" --units "$UNITS" --seed "$SEED" --out "$REPORT" --overwrite --json > "$OUT/extract-$RUN.jsonl"
  echo "extract $RUN: $((SECONDS - t0)) s"
}

# BISE+FT and, for comparison, the dense vanilla model finetuned the same way; both read the tokenizer next to MODEL.
finetune() {
  local pair
  for pair in "bise-ft:$SUBNETWORK" "vanilla-ft:$MODEL"; do
    local name="$RUN-${pair%%:*}" from="${pair#*:}"
    [ ! -f "$OUT/$name.onnx" ] || continue
    local t0=$SECONDS
    bise finetune "$from" --tokenizer "$OUT/tokenizer.json" "${DATA[@]}" "${OPTIMISER[@]}" --lr 0.0005 --epochs 2 --out "$OUT/$name.onnx" > "$OUT/$name.log" 2>&1
    echo "$name: $((SECONDS - t0)) s"
  done
}

table() {
  local evals="$OUT/$RUN-finetuned.jsonl"
  : > "$evals"
  local name
  for name in bise-ft vanilla-ft; do
    bise eval "$OUT/$RUN-$name.onnx" "${DATA[@]}" --json | grep '"type":"result"' | sed "s/^{/{\"model\":\"$name\",/" >> "$evals"
  done
  node - "$REPORT/report.json" "$evals" <<'EOF'
const fs = require('node:fs');
const [reportFile, evalsFile] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
const finetuned = Object.fromEntries(fs.readFileSync(evalsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.model, r.metrics]));
const baseline = (name) => report.metrics.baselines.find((b) => b.name === name)?.metrics;
const rows = [
  ['vanilla', report.metrics.vanilla],
  ['vanilla + FT (reweighted)', finetuned['vanilla-ft']],
  ['**BISE**', report.metrics.subnetwork],
  ['random pruning (same units)', baseline('random')],
  ['magnitude pruning (same units)', baseline('magnitude')],
  ['**BISE+FT**', finetuned['bise-ft']],
];
const pct = (x) => (100 * x).toFixed(1);
console.log('| model | unbiased | aligned | conflicting | worst group |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, m] of rows) if (m) console.log(`| ${name} | ${pct(m.unbiasedAccuracy)} | ${pct(m.alignedAccuracy)} | ${pct(m.conflictingAccuracy)} | ${pct(m.worstGroupAccuracy)} |`);
const p = report.pruning;
const kept = p.groups.map((g) => `${g.kept}/${g.channels}`).join(', ');
console.log(`\nBISE keeps ${p.unitsAfter} of ${p.unitsBefore} units (per group: ${kept}), ${p.paramsAfter} of ${p.paramsBefore} parameters (embeddings included), ${p.flopsAfter} of ${p.flopsBefore} FLOPs per text of ${p.inputShapes.input_ids[1]} tokens.`);
EOF
}

for step in "${@:-train extract finetune table}"; do
  for s in $step; do
    case "$s" in
      train) train ;;
      extract) extract ;;
      finetune) finetune ;;
      table) table ;;
      *) echo "unknown step '$s' (train, extract, finetune, table)" >&2; exit 2 ;;
    esac
  done
done
