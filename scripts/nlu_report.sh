#!/usr/bin/env bash
# NLU figures for docs/NLU.md: 5-fold cross-validation on the training data, and the
# held-out set (tests/nlu/) that was written without seeing the training data.
set -euo pipefail
BIN=.venv/bin
out=results/nlu
mkdir -p "$out"
"$BIN/rasa" test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out "$out/cross-validation"
"$BIN/rasa" test nlu --nlu tests/nlu/topic_holdout.yml --model models/meldkamer.tar.gz --out "$out/holdout"
"$BIN/python" scripts/nlu_summary.py "$out"
