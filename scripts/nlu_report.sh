#!/usr/bin/env bash
# NLU figures for docs/NLU.md: every held-out set (written without seeing the training
# data) against the trained model, each former held-out set (data/nlu/huurders) left out of
# the training data in turn, the safety-confusion check on both (gas, fire or a medical
# need read as anything milder; any such confusion fails this script), and k-fold
# cross-validation on the training data.
#   scripts/nlu_report.sh [FOLDS]     (default 3; each fold trains a model)
#   MODEL=/tmp/other.tar.gz scripts/nlu_report.sh   (another trained model)
#   SKIP_CV=1 scripts/nlu_report.sh   (held-out sets and safety only, no training)
set -euo pipefail
BIN=.venv/bin
folds=${1:-3}
model=${MODEL:-models/meldkamer.tar.gz}
out=results/nlu
# Every tests/nlu/topic_holdout_N.yml, by number: a new set is in the report without an edit
# here.
mapfile -t sets < <(cd tests/nlu && ls topic_holdout*.yml | sed 's/\.yml$//' | sort -V)
if [ ! -f "$model" ]; then
  echo "no trained model at $model: run 'make model' first" >&2
  exit 2
fi
paths=()
for set in "${sets[@]}"; do paths+=("tests/nlu/$set.yml"); done
rm -rf "$out"  # never summarise a previous run's figures
mkdir -p "$out"
log="$out/rasa.log"  # Rasa's own output; the summary below is what this prints
trap 'echo "failed: see $log" >&2' ERR
for set in "${sets[@]}"; do
  echo "held-out $set ..." >&2
  "$BIN/rasa" test nlu --nlu "tests/nlu/$set.yml" --model "$model" --out "$out/$set" >>"$log" 2>&1
done
safety=0
"$BIN/python" scripts/nlu_safety.py "$model" "${paths[@]}" >"$out/safety.md" 2>>"$log" || safety=$?
echo "former held-out sets, each left out in turn ..." >&2
"$BIN/python" scripts/nlu_sets_out.py "$out/sets-out.md" >/dev/null 2>>"$log" || safety=$((safety + $?))
if [ -z "${SKIP_CV:-}" ]; then
  echo "cross-validation, $folds folds ..." >&2
  "$BIN/rasa" test nlu --nlu data/nlu --config config.yml --cross-validation --folds "$folds" \
    --out "$out/cross-validation" >>"$log" 2>&1
fi
"$BIN/python" scripts/nlu_summary.py "$out"
if [ "$safety" -ne 0 ]; then
  echo "safety confusions found (see $out/safety.md): failing" >&2
fi
exit "$safety"
