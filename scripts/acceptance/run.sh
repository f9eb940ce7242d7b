#!/usr/bin/env bash
# Acceptance driver: makes baseline runs and ledgers that no fixture holds, runs the seed's Python and our
# `npm run headless` on each, and compares (scripts/acceptance/compareStateContinue.ts, compareSwing.ts).
#
#   scripts/acceptance/run.sh [--list] [CASE ...]        (default: every case)
#
# WORK (default /tmp/acceptance) holds, per case, the input, seed/ and ours/ outputs, logs and compare.txt;
# $WORK/summary.tsv gets one line per case: name, PASS/FAIL, seconds of ours, seconds of the seed, note.
# Needs /usr/bin/python3 with scikit-learn (the oracle), /opt/ref (REF=...), Chromium for the headless runner.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REF="${REF:-/opt/ref}"
PY="${PY:-/usr/bin/python3}"
WORK="${WORK:-/tmp/acceptance}"
BTC="/work/shared/data/market-bars"
TSX=(node --import tsx)
mkdir -p "$WORK"

# The product under test: by default a snapshot of the committed HEAD (what a client gets; others' uncommitted
# edits in the working tree must not break or flatter a run), built once and shared by parallel drivers.
# PRODUCT=/work/main tests the working tree instead.
product_snapshot() {
  local sha dir
  sha="$(git -C "$ROOT" rev-parse --short HEAD)"
  dir="$WORK/product-$sha"
  (
    flock 9
    if [ ! -f "$dir/.ready" ]; then
      rm -rf "$dir" && mkdir -p "$dir"
      git -C "$ROOT" archive HEAD | tar -x -C "$dir"
      ln -s "$ROOT/node_modules" "$dir/node_modules"
      (cd "$dir" && node -e "import('./scripts/build.mjs').then(m => m.ensureBuild({ log: console.error }))") >"$dir.build.log" 2>&1 && touch "$dir/.ready"
    fi
  ) 9>"$WORK/.snapshot.lock"
  [ -f "$dir/.ready" ] || { echo "building the snapshot $dir failed: see $dir.build.log" >&2; exit 1; }
  echo "$dir"
}
if [ "${1:-}" != "--list" ]; then
  PRODUCT="${PRODUCT:-$(product_snapshot)}"
  echo "product under test: $PRODUCT"
fi

# ---------------------------------------------------------------------------------------------------------------
# cases: NAME | FOLDER (base name of the run: it is the baseline_run_id) | GENERATOR FLAGS | RUNNER FLAGS | KIND | PREP
#   KIND: ok | capped (rows inside one event_time may come in another order) | error:NEEDLE[,NEEDLE] (exit 2 on
#   both sides; our message must name each NEEDLE) | error!:NEEDLE (ours must exit 2; the seed crashes there)
#   PREP: a function below that edits the generated run before both sides see it (bad inputs, slices, ...)
STATE_CASES=(
  "sc_synthetic|run-2025-01-17_a|--seed 101|--ages-minutes 5,15,30,60|ok|"
  "sc_real_slice|btc real 0308|--days 2 --seed 102 @BARS:8:BTCUSDT,BTCUSD|--ages-minutes 10,20,40|ok|"
  "sc_real_gaps|btc_gappy|--days 1 --seed 114 --gaps @BARS:15:BTCUSDC,BTCUSDT,BTCUSD|--continue-horizon-minutes 15|ok|"
  "sc_ridge_clip|ridge_run|--symbols 3 --days 1 --seed 103 --price-plan 20,50,2.5|--regressor-kind ridge --ridge-alpha 0.5 --regression-target-clip-bps 15|ok|"
  "sc_ridge_noclip|ridge_plain|--symbols 2 --days 2 --seed 118 --entry-rate 0.3|--regressor-kind ridge --ridge-alpha 25|ok|"
  "sc_huber_clip|huber_clip|--symbols 2 --days 1 --seed 117|--regression-target-clip-bps 30|ok|"
  "sc_capped_picked|capped_a|--symbols 3 --days 1 --seed 104|--max-rows-per-split @PICKCAP:150:900|capped|"
  "sc_capped_round|capped_b|--symbols 2 --days 1 --seed 119|--max-rows-per-split 250|capped|"
  "sc_ages_unsorted|ages|--symbols 2 --days 1 --seed 105|--ages-minutes 45,10,10,3,90,3|ok|"
  "sc_ages_spaces|ages_sp|--symbols 2 --days 1 --seed 120|--ages-minutes ' 7 , 2,,21'|ok|"
  "sc_horizon_edge|horizon|--symbols 2 --days 1 --seed 106|--continue-horizon-minutes 45 --min-continue-edge-bps 7.5|ok|"
  "sc_horizon_short|horizon_short|--symbols 2 --days 1 --seed 121 --price-plan 12,18,1|--continue-horizon-minutes 8 --min-continue-edge-bps 0|ok|"
  "sc_no_signal|nosig|--symbols 3 --days 1 --seed 107 --signal none|--ages-minutes 5,15,30,60|ok|"
  "sc_huber_5|huber5|--symbols 2 --days 1 --seed 108|--huber-max-iter 5|ok|"
  "sc_huber_40|huber40|--symbols 2 --days 1 --seed 122|--huber-max-iter 40|ok|"
  "sc_gaps_ns_zstd|gaps_ns|--symbols 3 --days 1 --seed 109 --gaps --event-time ns --codec zstd|--ages-minutes 5,15,30,60|ok|"
  "sc_iso_f64_dict|iso64|--symbols 2 --days 1 --seed 110 --event-time iso --feature-dtype float64 --integer-sample-id --arrow-dictionary --codec gzip|--ages-minutes 5,15,30,60|ok|"
  "sc_us_brotli_f12|wide|--symbols 5 --days 1 --features 12 --seed 111 --event-time us --codec brotli,none,snappy --no-dictionary --onnx-storage float|--ages-minutes 5,15,30,60|ok|"
  "sc_f3_entry35|narrow|--symbols 2 --days 1 --features 3 --seed 112 --entry-rate 0.35|--ages-minutes 5,15,30,60|ok|"
  "sc_nomanifest_foreign|Läufe (2)|--symbols 2 --days 1 --seed 113 --no-train-manifest --replay-path D:\\\\data\\\\bars_x.parquet|--ages-minutes 5,15,30,60|ok|"
  "sc_duckdb|duck|--symbols 2 --days 1 --seed 115|--ages-minutes 5,15,30,60|ok|duckdb_rewrite"
  "sc_big|big|--symbols 6 --days 3 --seed 116|--ages-minutes 5,15,30,60|ok|"
  "sc_one_age|one_age|--symbols 2 --days 1 --seed 123|--ages-minutes 1|ok|"
  "sc_huber_1|huber1|--symbols 2 --days 1 --seed 124|--huber-max-iter 1 --regression-target-clip-bps 40|ok|"
  "sc_cap_noop|cap_noop|--symbols 2 --days 1 --seed 125|--max-rows-per-split 100000|ok|"
  "sc_clip_negative|clipneg|--symbols 2 --days 1 --seed 126|--regression-target-clip-bps -5|ok|"
  "sc_edge_negative|edgeneg|--symbols 2 --days 1 --seed 127|--min-continue-edge-bps -20 --ages-minutes 5,30|ok|"
  "sc_ridge_alpha0|alpha0|--symbols 2 --days 1 --seed 128|--regressor-kind ridge --ridge-alpha 0|ok|"
  "sc_no_rows|norows|--symbols 2 --days 1 --seed 129|--continue-horizon-minutes 3000|error:no rows|"
  "sc_one_class_target|oneclass|--symbols 2 --days 1 --seed 130|--min-continue-edge-bps 500|error:class|"
  "bad_horizon_zero|bad13|--symbols 2 --days 1 --seed 143|--continue-horizon-minutes 0|error:horizon|"
  "bad_regressor_kind|bad14|--symbols 2 --days 1 --seed 144|--regressor-kind lasso|error:lasso|"
  # bad inputs: exit 2 on both sides, our message names the file/column
  "bad_missing_file|bad1|--symbols 2 --days 1 --seed 131|--ages-minutes 5,15,30,60|error:entry_labels|rm_entry_labels"
  "bad_label_column|bad2|--symbols 2 --days 1 --seed 132 --omit-column label:entry_target|--ages-minutes 5,15,30,60|error:entry_target|"
  "bad_feature_column|bad3|--symbols 2 --days 1 --seed 133 --omit-column feature:data_quality_flag|--ages-minutes 5,15,30,60|error:data_quality_flag|"
  "bad_f_mismatch|bad4|--symbols 2 --days 1 --seed 134 --onnx-features 6|--ages-minutes 5,15,30,60|error:_W,8|"
  "bad_ages_zero|bad5|--symbols 2 --days 1 --seed 135|--ages-minutes 0,5|error:ages|"
  "bad_ages_text|bad6|--symbols 2 --days 1 --seed 136|--ages-minutes 5,abc|error:ages|"
  "bad_ages_frac|bad7|--symbols 2 --days 1 --seed 137|--ages-minutes 5,7.5|error:ages|"
  "bad_truncated|bad8|--symbols 2 --days 1 --seed 138|--ages-minutes 5,15,30,60|error!:feature_frame|truncate_feature"
  "bad_price_plan|bad9|--symbols 2 --days 1 --seed 139|--ages-minutes 5,15,30,60|error:price_plan_context,costBps|bad_plan"
  "bad_replay_name|bad10|--symbols 2 --days 1 --seed 140|--ages-minutes 5,15,30,60|error:nowhere.parquet|bad_replay_name"
  "bad_replay_truncated|bad11|--symbols 2 --days 1 --seed 141|--ages-minutes 5,15,30,60|error!:replay_1m|truncate_replay"
  "bad_feature_order_json|bad12|--symbols 2 --days 1 --seed 142|--ages-minutes 5,15,30,60|error:feature_order|bad_feature_order"
)

SWING_CASES=(
  # NAME | GENERATOR FLAGS (scripts/fixtures/generateLedger.ts) | OPTIONS | FORMAT jsonl|csv|parquet
  "sw_normal_a|--case normal --seed 101 --trades 400||jsonl"
  "sw_normal_b|--case normal --seed 202 --trades 180|--mae-threshold 0.02 --risk-threshold 0.4|jsonl"
  "sw_normal_c|--case normal --seed 303 --trades 1200|--min-rows 50 --risk-threshold 0.6|jsonl"
  "sw_too_small|--case too_small --seed 404 --trades 11||jsonl"
  "sw_too_small_minrows|--case normal --seed 505 --trades 60|--min-rows 200|jsonl"
  "sw_one_class|--case one_class --seed 606 --trades 70||jsonl"
  "sw_missing_feature|--case missing_feature --seed 707 --trades 55||jsonl"
  "sw_clean_csv|--case clean --seed 808 --trades 220||csv"
  "sw_fuzz_a|--case fuzz --seed 1001 --trades 300||jsonl"
  "sw_fuzz_b|--case fuzz --seed 2002 --trades 150|--mae-threshold 0.01 --risk-threshold 0.3|jsonl"
  "sw_fuzz_c|--case fuzz --seed 3003 --trades 600|--min-rows 40|jsonl"
  "sw_too_small_naive|--case too_small --seed 4004 --trades 19|--min-rows 19|jsonl"
  "sw_clean_parquet|--case clean --seed 909 --trades 260|--mae-threshold 0.04|parquet"
)

# ---------------------------------------------------------------------------------------------------------------
# input preparation

slice_bars() { # slice_bars START_DAY SYMBOLS_CSV -> comma list of CSV slices starting at day START_DAY (0 = 03-01)
  local day="$1" list="$2" out="" sym
  mkdir -p "$WORK/bars"
  for sym in ${list//,/ }; do
    local src="$BTC/${sym}_1m_20230301_20230321.csv" dst="$WORK/bars/${sym}_d${day}.csv"
    { head -1 "$src"; tail -n +$((2 + day * 1440)) "$src"; } >"$dst"
    out="${out:+$out,}$dst"
  done
  echo "$out"
}

rm_entry_labels() { rm -f "$1/label/entry_labels.parquet"; }
truncate_feature() { local f="$1/feature/feature_frame.parquet"; truncate -s $(($(stat -c %s "$f") / 2)) "$f"; }
truncate_replay() { local f; f="$(find "$1" -name 'replay_1m.parquet')"; truncate -s $(($(stat -c %s "$f") * 2 / 3)) "$f"; }
bad_plan() { printf '{"stopDistanceBps": 30, "targetDistanceBps": 45, "costBps": "4"}\n' >"$1/label/price_plan_context.json"; }
bad_replay_name() { "$PY" -c 'import json,sys; p=sys.argv[1]+"/split/split_manifest.json"; d=json.load(open(p)); d["source_replay_path"]="/x/nowhere.parquet"; json.dump(d,open(p,"w"))' "$1"; }
bad_feature_order() { printf '["ret_1_bps", "ret_3_bps"\n' >"$1/feature/feature_order.json"; }
duckdb_rewrite() { "$PY" "$ROOT/scripts/fixtures/rewrite_with_duckdb.py" "$1" >/dev/null; }

# ---------------------------------------------------------------------------------------------------------------

summary() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$WORK/summary.tsv"; echo "== $1: $2 (ours ${3}s, seed ${4}s) $5"; }

run_state_case() {
  local spec="$1"
  local name folder gen ref kind prep
  IFS='|' read -r name folder gen ref kind prep <<<"$spec"
  local dir="$WORK/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  local run="$dir/$folder"
  # @BARS:DAY:SYMS -> sliced real bars
  if [[ "$gen" =~ @BARS:([0-9]+):([A-Z,]+) ]]; then
    local bars
    bars="$(slice_bars "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"
    gen="${gen/${BASH_REMATCH[0]}/--bars-csv $bars}"
  fi
  # shellcheck disable=SC2086
  eval "(cd \"$ROOT\" && ${TSX[*]} scripts/generateBaseline.ts --out \"$run\" $gen)" >"$dir/generate.log" 2>&1 ||
    { summary "$name" FAIL - - "generator failed: $(tail -1 "$dir/generate.log")"; return; }
  [ -n "$prep" ] && "$prep" "$run"
  if [[ "$ref" =~ @PICKCAP:([0-9]+):([0-9]+) ]]; then
    "$PY" "$REF/run_state_continue.py" --baseline-dir "$run" --out "$dir/probe" --state-source time >/dev/null 2>&1
    local cap
    cap="$("$PY" "$ROOT/scripts/fixtures/pick_cap.py" "$dir/probe/state_continue_train.parquet" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"
    ref="${ref/${BASH_REMATCH[0]}/$cap}"
    rm -rf "$dir/probe"
  fi
  echo "$ref" >"$dir/flags.txt"
  local t0 t1 t2 seed_code=0 our_code=0
  t0=$(date +%s)
  # shellcheck disable=SC2086
  eval "\"$PY\" \"$REF/run_state_continue.py\" --baseline-dir \"$run\" --out \"$dir/seed\" --state-source time $ref" >"$dir/seed.stdout" 2>"$dir/seed.stderr" || seed_code=$?
  t1=$(date +%s)
  # shellcheck disable=SC2086
  eval "(cd \"$PRODUCT\" && npm run --silent headless -- state-continue --baseline-dir \"$run\" --out \"$dir/ours\" $ref)" >"$dir/ours.stdout" 2>"$dir/ours.stderr" || our_code=$?
  t2=$(date +%s)
  local ts=$((t1 - t0)) to=$((t2 - t1))
  if [[ "$kind" == error* ]]; then
    local seed_msg our_msg missing="" needle
    seed_msg="$(grep -m1 '^input error' "$dir/seed.stderr")"
    our_msg="$(grep -v '^npm warn' "$dir/ours.stderr" | tr '\n' ' ')"
    IFS=',' read -r -a needles <<<"${kind#error*:}"
    for needle in "${needles[@]}"; do grep -qF -- "$needle" <<<"$our_msg" || missing="${missing:+$missing,}$needle"; done
    {
      echo "seed exit $seed_code: $seed_msg"
      echo "ours exit $our_code: $our_msg"
    } >"$dir/compare.txt"
    # error!: the seed itself does not catch this one (it crashes with a DuckDB traceback, exit 1); only ours is held to exit 2
    if [ "$seed_code" -ne 2 ] && [[ "$kind" != 'error!:'* ]]; then summary "$name" FAIL "$to" "$ts" "seed exit $seed_code (expected 2): case is wrong"
    elif [ "$our_code" -ne 2 ]; then summary "$name" FAIL "$to" "$ts" "ours exit $our_code (expected 2): $(head -c 300 <<<"$our_msg")"
    elif [ -n "$missing" ]; then summary "$name" FAIL "$to" "$ts" "our message does not name: $missing | $(head -c 300 <<<"$our_msg")"
    else summary "$name" PASS "$to" "$ts" "exit 2 both; ours: $(head -c 200 <<<"$our_msg")"
    fi
    return
  fi
  if [ "$seed_code" -ne 0 ]; then summary "$name" FAIL "$to" "$ts" "seed exit $seed_code: $(grep -m1 'error' "$dir/seed.stderr")"; return; fi
  if [ "$our_code" -ne 0 ]; then summary "$name" FAIL "$to" "$ts" "ours exit $our_code: $(grep -v '^npm warn' "$dir/ours.stderr" | tail -3 | tr '\n' ' ')"; return; fi
  local cmp_flags=()
  [ "$kind" = capped ] && cmp_flags+=(--capped)
  if (cd "$ROOT" && "${TSX[@]}" scripts/acceptance/compareStateContinue.ts "$dir/ours" "$dir/seed" "${cmp_flags[@]}") >"$dir/compare.txt" 2>&1; then
    summary "$name" PASS "$to" "$ts" "$(grep -c '^  WARN' "$dir/compare.txt") warnings"
  else
    summary "$name" FAIL "$to" "$ts" "$(grep -m3 '^  FAIL' "$dir/compare.txt" | tr '\n' ' ' | head -c 400)"
  fi
}

run_swing_case() {
  local spec="$1"
  local name gen opts format
  IFS='|' read -r name gen opts format <<<"$spec"
  local dir="$WORK/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  local ledger="$dir/ledger.jsonl" input
  case "$format" in
    jsonl) input="$ledger"; eval "(cd \"$ROOT\" && ${TSX[*]} scripts/fixtures/generateLedger.ts $gen --out \"$ledger\")" >"$dir/generate.log" 2>&1 ;;
    csv) input="$dir/ledger.csv"; eval "(cd \"$ROOT\" && ${TSX[*]} scripts/fixtures/generateLedger.ts $gen --csv \"$input\" --out \"$ledger\")" >"$dir/generate.log" 2>&1 ;;
    parquet)
      input="$dir/ledger.parquet"
      eval "(cd \"$ROOT\" && ${TSX[*]} scripts/fixtures/generateLedger.ts $gen --parquet-csv \"$dir/pq.csv\" --parquet-schema \"$dir/pq.schema.json\" --out \"$ledger\")" >"$dir/generate.log" 2>&1
      node "$REF/parquet_io.mjs" write "$dir/pq.csv" "$dir/pq.schema.json" "$input" --compression zstd >>"$dir/generate.log" 2>&1
      ;;
  esac
  local t0 t1 t2 seed_code=0 our_code=0
  t0=$(date +%s)
  # shellcheck disable=SC2086
  "$PY" "$REF/swing_reference.py" "$ledger" --out "$dir/seed/swing_result.json" $opts >"$dir/seed.stdout" 2>"$dir/seed.stderr" || seed_code=$?
  t1=$(date +%s)
  # shellcheck disable=SC2086
  (cd "$PRODUCT" && npm run --silent headless -- risk-filter --ledger "$input" --out "$dir/ours" $opts) >"$dir/ours.stdout" 2>"$dir/ours.stderr" || our_code=$?
  t2=$(date +%s)
  local ts=$((t1 - t0)) to=$((t2 - t1))
  if [ "$seed_code" -ne 0 ]; then summary "$name" FAIL "$to" "$ts" "seed exit $seed_code"; return; fi
  if [ "$our_code" -ne 0 ]; then summary "$name" FAIL "$to" "$ts" "ours exit $our_code: $(grep -v '^npm warn' "$dir/ours.stderr" | tail -3 | tr '\n' ' ')"; return; fi
  local cmp_flags=()
  [ "$format" = parquet ] && cmp_flags+=(--other-format)
  [ "$format" = csv ] && cmp_flags+=(--csv)
  if (cd "$ROOT" && "${TSX[@]}" scripts/acceptance/compareSwing.ts "$dir/ours/swing_result.json" "$dir/seed/swing_result.json" "${cmp_flags[@]}") >"$dir/compare.txt" 2>&1; then
    summary "$name" PASS "$to" "$ts" "$(grep -c '^  WARN' "$dir/compare.txt") warnings"
  else
    summary "$name" FAIL "$to" "$ts" "$(grep -m3 '^  FAIL' "$dir/compare.txt" | tr '\n' ' ' | head -c 400)"
  fi
}

if [ "${1:-}" = "--list" ]; then
  for s in "${STATE_CASES[@]}" "${SWING_CASES[@]}"; do echo "${s%%|*}"; done
  exit 0
fi
want() { local c="$1"; shift; [ $# -eq 0 ] && return 0; local x; for x in "$@"; do [ "$x" = "$c" ] && return 0; done; return 1; }
for s in "${STATE_CASES[@]}"; do want "${s%%|*}" "$@" && run_state_case "$s"; done
for s in "${SWING_CASES[@]}"; do want "${s%%|*}" "$@" && run_swing_case "$s"; done
