#!/usr/bin/env bash
# Reproduces the BiasedMNIST rows of docs/RESULTS.md: for each ρ, train the demo CNN with `bise train`, then run
# `bise extract` with the demo schedule. Models and report folders go to results/ (not committed).
# Usage: scripts/results-biased-mnist.sh [rho ...]   (default: 0.97 0.99 0.995 0.997); ~6 min per ρ on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p results
bise() { node --import tsx src/cli/main.ts "$@"; }
for rho in "${@:-0.97 0.99 0.995 0.997}"; do
  for r in $rho; do
    model="results/biased-mnist-rho${r}-cnn.onnx"
    [ -f "$model" ] || bise train --out "$model" --rho "$r" --epochs 60 --lr 0.02 --schedule cosine
    bise extract "$model" --rho "$r" --tau-period 2 --aux-epochs 10 --mask-init 0.1 --out "results/rho${r}-init0.1.bise" --overwrite --json > "results/rho${r}-init0.1.jsonl"
    bise extract "$model" --rho "$r" --tau-period 2 --aux-epochs 10 --out "results/rho${r}-init0.bise" --overwrite --json > "results/rho${r}-init0.jsonl"
  done
done
