#!/usr/bin/env bash
# Re-run every measurement and print the table:   ./run_all.sh
#   PERF_VENV=DIR           virtual environment (created from requirements.txt if missing)
#   ENGINES="python zen ..."  subset of engines (python, the baseline, is always run first)
#   QUICK=1                   skip the slow pure-Python CEL and the re-parsing simpleeval rows; 3 pairs
#   WP_PAIRS=5                whole-process A/B pairs per engine (after 1 warm-up pair)
#   RESULTS=results           where the JSON lines, outputs and table go
#   (yoko is installed into the same venv from ../.. ; it reads subset.yaml, the same rules)
#   PAIRED_TIMER=cmd          optional extra: an outside paired timer taking  -n N --vs 'B' -- A ...;
#                             its output is printed as is, next to abtime.py's
set -euo pipefail
cd "$(dirname "$0")"
VENV=${PERF_VENV:-${TMPDIR:-/tmp}/yoko-perf-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r requirements.txt
fi
"$VENV/bin/python" -c "import engine" 2>/dev/null || "$VENV/bin/pip" install -q -e ../..   # yoko itself
PY="$VENV/bin/python"
ALL="python yoko yoko-checked zen zen-json zen-batch zen-decision zen-expr rule-engine rule-engine-inline cel cel-inline cel-python cel-python-compiled simpleeval simpleeval-inline simpleeval-reparse"
SLOW="cel-python cel-python-compiled simpleeval-reparse"
ENGINES=${ENGINES:-$ALL}
WP_PAIRS=${WP_PAIRS:-5}
if [ -n "${QUICK:-}" ]; then
  for s in $SLOW; do ENGINES=$(echo " $ENGINES " | sed "s/ $s / /"); done
  WP_PAIRS=3
fi
ENGINES="python $(echo " $ENGINES " | sed 's/ python / /')"

R=${RESULTS:-results}
mkdir -p data "$R"
S=data/facilities_10k.jsonl
L=data/facilities_100k.jsonl
[ -s $S ] || $PY gen_facilities.py 10000 -o $S
[ -s $L ] || $PY gen_facilities.py 100000 -o $L
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($PY -V)"

: > "$R/inproc.jsonl"
for e in $ENGINES; do
  echo "in-process: $e" >&2
  $PY bench.py "$e" --small $S --large $L >> "$R/inproc.jsonl" || true
done

# whole process, each engine paired against the hand-written baseline on the same file
: > "$R/wholeproc.jsonl"
rm -rf "$R/out" && mkdir -p "$R/out"
for e in $ENGINES; do
  [ "$e" = python ] && continue
  F=$L; case " $SLOW " in *" $e "*) F=$S;; esac     # the slowest rows run on 10k records
  echo "whole-process: $e vs python on $F" >&2
  $PY abtime.py -n "$WP_PAIRS" --label "$e" --json "$R/wholeproc.jsonl" \
      --vs "$PY run_one.py python $F /dev/null" -- $PY run_one.py "$e" $F /dev/null >&2
  if [ -n "${PAIRED_TIMER:-}" ]; then
    $PAIRED_TIMER -n "$WP_PAIRS" --vs "$PY run_one.py python $F /dev/null" -- $PY run_one.py "$e" $F /dev/null >&2 || true
  fi
done

# whole-process outputs must be byte-identical to the baseline's (10k file)
$PY run_one.py python $S "$R/out/python.jsonl"
for e in $ENGINES; do
  [ "$e" = python ] && continue
  $PY run_one.py "$e" $S "$R/out/$e.jsonl"
  cmp -s "$R/out/python.jsonl" "$R/out/$e.jsonl" && echo "output identical: $e" >&2 || echo "OUTPUT DIFFERS: $e" >&2
done

echo
$PY report.py "$R"
