#!/usr/bin/env bash
# NLU figures for docs/NLU.md: the two held-out sets (written without seeing the training
# data) against the trained model, and k-fold cross-validation on the training data.
#   scripts/nlu_report.sh [FOLDS]     (default 5; each fold trains a model, minutes each)
set -euo pipefail
BIN=.venv/bin
folds=${1:-5}
out=results/nlu
mkdir -p "$out"
for set in topic_holdout topic_holdout_2; do
  "$BIN/rasa" test nlu --nlu "tests/nlu/$set.yml" --model models/meldkamer.tar.gz --out "$out/$set"
done
"$BIN/rasa" test nlu --nlu data/nlu --config config.yml --cross-validation --folds "$folds" --out "$out/cross-validation"
"$BIN/python" scripts/nlu_summary.py "$out"
