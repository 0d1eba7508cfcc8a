#!/usr/bin/env bash
# How scan time and peak memory grow with the corpus, with one huge file, and with the rules.
#
#   scripts/bench_scale.sh [--sizes "100 1000 4000"] [--single-mb 2000] [--no-build]
#
# Runs scripts/bench.sh (hygiene and the `cat | wc -c` ceiling only, no peers) on both corpora
# (ops: target/bench/corpus-N; vendor-dense logs: target/bench/vendor-N; see bench.sh --style):
#   - each corpus at each size in --sizes (MB);
#   - one directory holding a single log of about --single-mb MB, cut from the largest corpus's
#     bulk logs (target/bench/single-N/data/big/logs/all.log): one file, every core;
#   - both 1000 MB corpora with the built-in rules x4: three extra user packs
#     (target/bench/rules-x3), copies of the built-in packs with pack names and rule ids
#     prefixed copy1..copy3 (same keywords and regexes), passed
#     with --rules.
# Prints one table (seconds, MB/s, peak RSS, ceiling) and writes target/bench/scale.json; the
# per-run results are target/bench/scale-*.json.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES="100 1000 4000"
SINGLE=2000
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --single-mb) SINGLE=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_scale.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
BENCH=$REPO/target/bench
mkdir -p "$BENCH"
if [ $BUILD = 1 ]; then (cd "$REPO" && cargo build --release --quiet); fi
run() {  # label, bench.sh args...
  local label=$1; shift
  echo "[scale] $label" >&2
  "$REPO/scripts/bench.sh" --no-build --peers none --out "$BENCH/scale-$label.json" "$@" >/dev/null
}
LARGEST=0
LABELS=""
for size in $SIZES; do
  for style in ops vendor; do
    run "$style-$size" --size-mb "$size" --style "$style"
    LABELS="$LABELS $style-$size"
  done
  if [ "$size" -gt "$LARGEST" ]; then LARGEST=$size; fi
done

# One big file, cut from the largest corpus's bulk logs.
SINGLE_DIR=$BENCH/single-$SINGLE
if ! [ -f "$SINGLE_DIR/data/big/logs/all.log" ]; then
  mkdir -p "$SINGLE_DIR/data/big/logs"
  # head stops reading at the size wanted; the SIGPIPE that cat then gets is expected.
  { find "$BENCH/corpus-$LARGEST" -name '*bulk*.log' -print0 | sort -z | xargs -0 cat \
    | head -c "$((SINGLE * 1000000))" >"$SINGLE_DIR/data/big/logs/all.log"; } || true
  [ -s "$SINGLE_DIR/data/big/logs/all.log" ] || { echo "bench_scale.sh: could not build the single log" >&2; exit 1; }
fi
run "single-$SINGLE" --corpus "$SINGLE_DIR" --style ops

# The built-in rules x4: three copies of every built-in pack as user packs, ids renamed.
RULES3=$BENCH/rules-x3
rm -rf "$RULES3"; mkdir -p "$RULES3"
for copy in 1 2 3; do
  for pack in "$REPO"/rules/*.toml; do
    [ "$(basename "$pack")" = decoys.toml ] && continue
    sed -E -e "s/^id = \"/id = \"copy$copy/" -e "s/^name = \"/name = \"copy$copy/" "$pack" >"$RULES3/copy$copy-$(basename "$pack")"
  done
done
for style in ops vendor; do
  run "$style-rules-x4" --size-mb 1000 --style "$style" --hygiene-args "--rules $RULES3"
done

python3 - "$BENCH" $LABELS "single-$SINGLE" ops-rules-x4 vendor-rules-x4 <<'PY'
import json, sys
bench, labels = sys.argv[1], sys.argv[2:]
rows = []
for label in labels:
    res = json.load(open(f"{bench}/scale-{label}.json"))
    tools = {t["tool"]: t for t in res["tools"]}
    h, c = tools["hygiene"], tools["ceiling"]
    rows.append({"run": label, "files": res["files"], "mb": round(res["bytes"] / 1e6, 1),
                 "rules": (h.get("stats") or {}).get("rules"), "status": h["status"],
                 "seconds": h["seconds"], "mb_per_s": h.get("mb_per_s"), "peak_rss_mb": h["peak_rss_mb"],
                 "ceiling_seconds": c["seconds"], "cpus": res["cpus"]})
fmt = "{:<12} {:>6} {:>9} {:>6} {:>8} {:>8} {:>12} {:>10}"
print(fmt.format("run", "files", "MB", "rules", "seconds", "MB/s", "peak RSS MB", "ceiling s"))
for r in rows:
    print(fmt.format(r["run"], r["files"], r["mb"], r["rules"] or "-", "%.2f" % (r["seconds"] or 0),
                     "%.0f" % (r["mb_per_s"] or 0), "%.0f" % (r["peak_rss_mb"] or 0), "%.2f" % (r["ceiling_seconds"] or 0)))
json.dump(rows, open(f"{bench}/scale.json", "w"), indent=1)
print(f"\nresults: {bench}/scale.json  (cpus: {rows[0]['cpus'] if rows else '-'})")
PY
