#!/usr/bin/env bash
# Reproduces the ResNet-18 / Corrupted Fashion-MNIST tables of docs/RESULTS.md (issue 6 item 7, with items 1, 2 and
# 4 in that setting): per ρ, a vanilla ResNet-18 trained by `bise train`, BISE over several mask-learning seeds
# (random and magnitude baselines are in each report), BISE without bias labels (`--bias-from identify`), and
# BISE+FT next to the vanilla model finetuned the same way.
#
# Usage: scripts/results-resnet18.sh [train] [extract] [identify] [finetune] [tables]   (default: all five)
#   OUT=dir        where models, report folders and JSON lines go (default: results/resnet18, not committed)
#   RHOS="…"       bias alignments (default: 0.95 0.98 0.99 0.995)
#   SEEDS="0 1 2"  mask-learning seeds of `extract` (the data split and the vanilla model stay the same)
#   THREADS=n      onnxruntime intra-op threads (default: 2)
# Every step skips what is already finished, so an interrupted run resumes. On the 2-core machine: training
# 450–650 s per ρ, one extraction 300–350 s, one finetuning ~180 s (docs/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-results/resnet18}"
RHOS="${RHOS:-0.95 0.98 0.99 0.995}"
SEEDS="${SEEDS:-0 1 2}"
THREADS="${THREADS:-2}"
mkdir -p "$OUT"
bise() { node --import tsx src/cli/main.ts "$@"; }
data() { echo --dataset corrupted-fashion-mnist --rho "$1" --train-size 10000 --threads "$THREADS"; }
model() { echo "$OUT/cfm-rho$1-resnet18.onnx"; }
EXTRACT_FLAGS=(--tau-period 2 --aux-epochs 10 --mask-init 0.1 --overwrite --json)
FINETUNE_FLAGS=(--epochs 5 --lr 0.002 --schedule cosine --overwrite)  # a later --lr overrides

train() {
  local r
  for r in $RHOS; do
    [ ! -f "$(model "$r")" ] || continue
    local t0=$SECONDS
    # shellcheck disable=SC2046
    bise train --architecture resnet18 $(data "$r") --epochs 12 --lr 0.05 --schedule cosine --out "$(model "$r")" > "$OUT/train-rho$r.log" 2>&1
    echo "train ρ=$r: $((SECONDS - t0)) s"
  done
}

# One extraction: name, ρ, then extra flags. Skipped when its report exists (written last, atomically).
extract_one() {
  local name="$1" r="$2"
  shift 2
  [ ! -f "$OUT/$name.bise/report.json" ] || return 0
  local t0=$SECONDS
  # shellcheck disable=SC2046
  bise extract "$(model "$r")" $(data "$r") "${EXTRACT_FLAGS[@]}" --out "$OUT/$name.bise" "$@" > "$OUT/$name.jsonl"
  echo "$name: $((SECONDS - t0)) s"
}

extract() {
  local r s
  for s in $SEEDS; do
    for r in $RHOS; do extract_one "rho$r-seed$s" "$r" --seed "$s"; done
  done
}

identify() {
  local r
  for r in $RHOS; do extract_one "rho$r-identify" "$r" --bias-from identify; done
}

# BISE+FT: the seed-0 subnetwork finetuned with the reweighted loss; the dense vanilla model finetuned the same way.
# At ρ = 0.995 a conflicting sample weighs ~1,800 aligned ones and lr 0.002 diverges; those ρ (LOW_LR_RHOS) are also
# finetuned at lr 0.0002 (names …-lr0.0002).
LOW_LR_RHOS="${LOW_LR_RHOS:-0.995}"
finetune_pair() {
  local r="$1" suffix="$2"
  shift 2
  local sub="$OUT/rho$r-seed0.bise/cfm-rho$r-resnet18.bise.onnx"
  [ -f "$sub" ] || { echo "finetune ρ=$r: no seed-0 subnetwork yet ($sub); run extract first" >&2; return 0; }
  local pair
  for pair in "bise-ft:$sub" "vanilla-ft:$(model "$r")"; do
    local name="rho$r-${pair%%:*}$suffix" from="${pair#*:}"
    [ ! -f "$OUT/$name.onnx" ] || continue
    local t0=$SECONDS
    # shellcheck disable=SC2046
    bise finetune "$from" $(data "$r") "${FINETUNE_FLAGS[@]}" "$@" --out "$OUT/$name.onnx" > "$OUT/$name.log" 2>&1
    echo "$name: $((SECONDS - t0)) s"
  done
}

finetune() {
  local r
  for r in $RHOS; do finetune_pair "$r" ""; done
  for r in $LOW_LR_RHOS; do finetune_pair "$r" -lr0.0002 --lr 0.0002; done
}

tables() {
  local table=(node --import tsx scripts/results-table.mjs)
  mkdir -p docs/figures
  "${table[@]}" sweep data.rho --svg docs/figures/resnet18-accuracy-vs-rho.svg "$OUT"/rho*-seed*.bise
  "${table[@]}" bias-labels "$OUT"/rho*-identify.bise "$OUT"/rho*-seed0.bise
  "${table[@]}" finetuned "$OUT"/rho*-ft*.onnx.train.json
}

for step in "${@:-train extract identify finetune tables}"; do
  for s in $step; do
    case "$s" in
      train) train ;;
      extract) extract ;;
      identify) identify ;;
      finetune) finetune ;;
      tables) tables ;;
      *) echo "unknown step '$s' (train, extract, identify, finetune, tables)" >&2; exit 2 ;;
    esac
  done
done
