#!/usr/bin/env bash
# Throughput benchmark: hygiene vs. the peer secret scanners on the same bulk corpus, same run.
#
#   scripts/bench.sh [--size-mb N] [--quick] [--peers a,b,c|all|none] [--timeout SEC] [--no-build] [--regen]
#                    [--style ops|vendor|both] [--corpus DIR] [--hygiene-args "ARGS"] [--out FILE]
#
#   Both corpora, every time (the default --style both): "ops" is gen_corpus.py's ops repo (the bot's
#   own logs, runbooks, reports); "vendor" is the same repo whose bulk logs are venue traffic, every
#   line naming a vendor host and credential header names without values (gen_corpus.py
#   --bulk-style vendor): the logs trading-platform users really have. Each is timed with hygiene,
#   the ceiling and the peers, one after the other; a side-by-side summary ends the run.
#
#   --size-mb N   bulk corpus size in MB (default 1000); cached in target/bench/corpus-N and
#                 reused while scripts/gen_corpus.py is unchanged (--regen forces a rebuild)
#   --quick       a ~50 MB corpus (--size-mb 50) and a 15 s per-tool limit unless --timeout is
#                 given, so the whole run stays under a minute
#   --peers LIST  peers to time (default: every installed peer except the slow Python ones,
#                 detect-secrets and trufflehog3; "all" includes them; "none" = no peers)
#   --timeout S   per-tool limit in seconds (default 900); a tool over it is reported "timeout"
#                 (measured at 50 MB on 2 cores: ripsecrets ~1 MB/s, trufflehog3 ~0.9 MB/s,
#                 detect-secrets ~0.1 MB/s; the compiled peers 10-27 MB/s)
#   --no-build    do not run `cargo build --release` first
#   --corpus DIR  time an existing directory instead of a generated corpus
#   --hygiene-args "ARGS"  extra arguments for `hygiene scan` (e.g. "--rules DIR")
#   --out FILE    where the JSON results go (default target/bench/results.json)
#
# Steps: cargo build --release; gen_corpus.py --bulk-mb N (cached); warm the page cache
# (cat every file > /dev/null); then, one after the other, each under /usr/bin/time -v:
#   hygiene   RAYON_NUM_THREADS=2 hygiene scan DIR --include-logs --no-report --threads 2 --format json
#   ceiling   find DIR -type f -exec cat {} + | wc -c      (reading the bytes, nothing else)
#   peers     /work/shared/peers/peer.sh NAME DIR OUT.jsonl with PEER_THREADS=2
# Seconds are wall time (for peers: peer.sh's own measure of the scanner process alone);
# peak RSS is GNU time's maximum resident set size (for peers: the largest process of
# peer.sh's tree, i.e. the scanner). MB/s = corpus bytes (10^6) / seconds. "vs fastest peer"
# = seconds / seconds of the fastest peer that succeeded (< 1 means faster than it).
# Prints a table and writes target/bench/results-STYLE.json (raw outputs in target/bench/run-STYLE/).
# A peer that is missing, fails or times out is reported as such; it never stops the run.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_SH=${PEER_SH:-/work/shared/peers/peer.sh}
SIZE=1000
PEERS=default
TIMEOUT=
BUILD=1
REGEN=0
CORPUS_DIR=
STYLE=both
ARGS=("$@")
QUICK=0
EXTRA_ARGS=
OUT_JSON=
while [ $# -gt 0 ]; do
  case $1 in
    --size-mb) SIZE=$2; shift 2 ;;
    --size-mb=*) SIZE=${1#*=}; shift ;;
    --quick) SIZE=50; QUICK=1; shift ;;
    --peers) PEERS=$2; shift 2 ;;
    --peers=*) PEERS=${1#*=}; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --regen) REGEN=1; shift ;;
    --corpus) CORPUS_DIR=$2; shift 2 ;;
    --hygiene-args) EXTRA_ARGS=$2; shift 2 ;;
    --out) OUT_JSON=$2; shift 2 ;;
    --style) STYLE=$2; shift 2 ;;
    --style=*) STYLE=${1#*=}; shift ;;
    -h|--help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$STYLE" = both ] && [ -z "$CORPUS_DIR" ]; then
  # One run per corpus (the second without rebuilding), then both side by side.
  REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  "$0" "${ARGS[@]}" --style ops --out "$REPO/target/bench/results-ops.json" || exit $?
  "$0" "${ARGS[@]}" --style vendor --no-build --out "$REPO/target/bench/results-vendor.json" || exit $?
  python3 - "$REPO/target/bench/results-ops.json" "$REPO/target/bench/results-vendor.json" <<'EOF'
import json, sys
runs = [json.load(open(p)) for p in sys.argv[1:]]
names = []
for run in runs:
    for t in run["tools"]:
        if t["tool"] not in names:
            names.append(t["tool"])
def cell(run, name):
    t = next((t for t in run["tools"] if t["tool"] == name), None)
    if not t or t["status"] != "ok" or not t.get("seconds"):
        return (t or {}).get("status", "-"), "-", "-"
    return "%.1f" % t["mb_per_s"], ("%.2fx" % t["vs_fastest_peer"]) if t.get("vs_fastest_peer") else "-", \
        ("%.0f" % t["peak_rss_mb"]) if t.get("peak_rss_mb") else "-"
print("\nboth corpora (MB/s; time vs the fastest peer of that corpus, < 1 is faster; peak RSS MB)")
print("%-14s %22s %22s" % ("", "ops (%.0f MB)" % (runs[0]["bytes"] / 1e6), "vendor (%.0f MB)" % (runs[1]["bytes"] / 1e6)))
for name in names:
    a, b = cell(runs[0], name), cell(runs[1], name)
    print("%-14s %9s %6s %5s %9s %6s %5s" % ((name,) + a + b))
EOF
  exit 0
fi
[ "$STYLE" = both ] && STYLE=ops
case $STYLE in ops|vendor) ;; *) echo "bench.sh: --style is ops, vendor or both" >&2; exit 2 ;; esac

if [ -z "$TIMEOUT" ]; then if [ $QUICK = 1 ]; then TIMEOUT=15; else TIMEOUT=900; fi; fi
log() { printf '[bench] %s\n' "$*" >&2; }
BENCH=$REPO/target/bench
RUN=$BENCH/run-$STYLE
if [ "$STYLE" = vendor ]; then CORPUS=${CORPUS_DIR:-$BENCH/vendor-$SIZE}; else CORPUS=${CORPUS_DIR:-$BENCH/corpus-$SIZE}; fi
OUT_JSON=${OUT_JSON:-$BENCH/results.json}
HYG=$REPO/target/release/hygiene
mkdir -p "$BENCH"
rm -rf "$RUN"; mkdir -p "$RUN"

if ! [ -x /usr/bin/time ]; then
  log "installing GNU time"
  (apt-get update -qq && apt-get install -y -qq time) >&2 || { echo "bench.sh: need /usr/bin/time" >&2; exit 2; }
fi

# ------------------------------------------------------------------ build
BUILD_STATUS=ok
if [ $BUILD = 1 ]; then
  log "cargo build --release"
  if ! (cd "$REPO" && cargo build --release) >"$RUN/build.log" 2>&1; then
    BUILD_STATUS=failed; log "build failed (tail of $RUN/build.log):"; tail -15 "$RUN/build.log" >&2
  fi
fi

# ------------------------------------------------------------------ corpus (cached)
KEY="size=$SIZE seed=1 files=60 style=$STYLE gen=$(sha256sum "$REPO/scripts/gen_corpus.py" | cut -c1-16)"
if [ -n "$CORPUS_DIR" ]; then
  [ -d "$CORPUS" ] || { echo "bench.sh: --corpus $CORPUS is not a directory" >&2; exit 2; }
  log "using $CORPUS as is"
elif [ $REGEN = 1 ] || ! [ -f "$CORPUS.stamp" ] || [ "$(cat "$CORPUS.stamp")" != "$KEY" ] || ! [ -d "$CORPUS" ]; then
  log "generating $CORPUS ($SIZE MB)"
  rm -rf "$CORPUS" "$CORPUS.stamp"
  python3 "$REPO/scripts/gen_corpus.py" "$CORPUS" --seed 1 --files 60 --bulk-mb "$SIZE" --bulk-style "$STYLE" || exit 1
  echo "$KEY" >"$CORPUS.stamp"
else
  log "reusing $CORPUS"
fi
BYTES=$(find "$CORPUS" -type f -printf '%s\n' | python3 -c 'import sys; print(sum(int(n) for n in sys.stdin))')
NFILES=$(find "$CORPUS" -type f | wc -l)
if [ -n "$CORPUS_DIR" ]; then SIZE=$((BYTES / 1000000)); fi
log "corpus: $NFILES files, $BYTES bytes; warming the page cache"
find "$CORPUS" -type f -exec cat {} + >/dev/null

# ------------------------------------------------------------------ peers to run
INSTALLED=$("$PEER_SH" list 2>/dev/null | tr '\n' ' ')
SLOW=" detect-secrets trufflehog3 "
case $PEERS in
  default) LIST=""; for p in $INSTALLED; do [[ "$SLOW" == *" $p "* ]] || LIST="$LIST $p"; done ;;
  all) LIST=$INSTALLED ;;
  none) LIST="" ;;
  *) LIST=$(echo "$PEERS" | tr ',' ' ') ;;
esac

# status file per tool: name<TAB>status<TAB>note   (time -v output in $RUN/NAME.time)
# ------------------------------------------------------------------ hygiene
if [ -x "$HYG" ]; then
  log "timing hygiene"
  # shellcheck disable=SC2206  # EXTRA_ARGS is split on purpose
  HARGS=(scan "$CORPUS" --include-logs --no-report --threads 2 --format json $EXTRA_ARGS)
  RAYON_NUM_THREADS=2 timeout -k 10 "$TIMEOUT" /usr/bin/time -v -o "$RUN/hygiene.time" \
    "$HYG" "${HARGS[@]}" >"$RUN/hygiene.out" 2>"$RUN/hygiene.err"
  rc=$?
  if [ $rc = 2 ] && grep -qi "threads" "$RUN/hygiene.err"; then
    log "hygiene rejected --threads; retrying with RAYON_NUM_THREADS=2 only"
    # shellcheck disable=SC2206
    HARGS=(scan "$CORPUS" --include-logs --no-report --format json $EXTRA_ARGS)
    RAYON_NUM_THREADS=2 timeout -k 10 "$TIMEOUT" /usr/bin/time -v -o "$RUN/hygiene.time" \
      "$HYG" "${HARGS[@]}" >"$RUN/hygiene.out" 2>"$RUN/hygiene.err"
    rc=$?
    echo "no --threads flag" >"$RUN/hygiene.note"
  fi
  echo "$HYG ${HARGS[*]}" >"$RUN/hygiene.cmd"
  case $rc in
    0|1) echo ok >"$RUN/hygiene.status" ;;
    124|137) echo timeout >"$RUN/hygiene.status" ;;
    *) echo failed >"$RUN/hygiene.status"; tail -5 "$RUN/hygiene.err" >"$RUN/hygiene.note" ;;
  esac
else
  echo missing >"$RUN/hygiene.status"; echo "no $HYG (build: $BUILD_STATUS)" >"$RUN/hygiene.note"
fi

# ------------------------------------------------------------------ ceiling
log "timing the read ceiling (find | cat | wc -c)"
/usr/bin/time -v -o "$RUN/ceiling.time" bash -c 'find "$1" -type f -exec cat {} + | wc -c' _ "$CORPUS" >"$RUN/ceiling.out" 2>"$RUN/ceiling.err"
rc=$?
echo "find $CORPUS -type f -exec cat {} + | wc -c" >"$RUN/ceiling.cmd"
if [ $rc = 0 ]; then echo ok >"$RUN/ceiling.status"; else echo failed >"$RUN/ceiling.status"; fi

# ------------------------------------------------------------------ peers
for p in $LIST; do
  if [[ " $INSTALLED " != *" $p "* ]]; then
    echo missing >"$RUN/peer-$p.status"; echo "not installed" >"$RUN/peer-$p.note"; continue
  fi
  log "timing $p"
  PEER_THREADS=2 timeout -k 10 "$TIMEOUT" /usr/bin/time -v -o "$RUN/peer-$p.time" \
    "$PEER_SH" "$p" "$CORPUS" "$RUN/peer-$p.jsonl" >/dev/null 2>"$RUN/peer-$p.err"
  rc=$?
  "$PEER_SH" cmd "$p" "$CORPUS" >"$RUN/peer-$p.cmd" 2>/dev/null
  case $rc in
    0) echo ok >"$RUN/peer-$p.status" ;;
    124|137) echo timeout >"$RUN/peer-$p.status"; echo "> ${TIMEOUT}s" >"$RUN/peer-$p.note" ;;
    *) echo failed >"$RUN/peer-$p.status"   # the error lines, without stack frames
       grep -v -e '^\s*$' -e '^\s*at ' "$RUN/peer-$p.err" | tail -3 >"$RUN/peer-$p.note" ;;
  esac
done
for p in $INSTALLED; do
  if [[ " $LIST " != *" $p "* ]]; then
    echo skipped >"$RUN/peer-$p.status"
    if [ "$PEERS" = default ]; then echo "slow; not run by default (--peers all)" >"$RUN/peer-$p.note"
    else echo "not selected by --peers" >"$RUN/peer-$p.note"; fi
  fi
done

# ------------------------------------------------------------------ table + JSON
python3 - "$RUN" "$CORPUS" "$BYTES" "$NFILES" "$SIZE" "$OUT_JSON" "$BUILD_STATUS" <<'EOF'
import glob, json, os, platform, re, sys
run, corpus, nbytes, nfiles, size, out, build = sys.argv[1:8]
nbytes, nfiles = int(nbytes), int(nfiles)

def rd(path, default=""):
    try:
        return open(path).read().strip()
    except OSError:
        return default

def timev(path):
    t = rd(path)
    wall = rss = None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        wall = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    if m:
        rss = int(m.group(1)) / 1024
    return wall, rss

rows = []
def add(name, kind, base):
    st = rd(base + ".status", "missing")
    wall, rss = timev(base + ".time")
    r = {"tool": name, "kind": kind, "status": st, "note": rd(base + ".note"), "cmd": rd(base + ".cmd"),
         "seconds": None, "peak_rss_mb": round(rss, 1) if rss else None, "findings": None}
    if st == "ok":
        r["seconds"] = wall
        if kind == "peer":
            try:
                meta = json.load(open(base + ".meta.json"))
                r["seconds"] = meta["seconds"]; r["version"] = meta.get("version"); r["findings"] = meta.get("findings")
                r["peer_sh_wall_seconds"] = wall
            except (OSError, ValueError, KeyError):
                pass
        elif name == "hygiene":
            try:
                rep = json.load(open(base + ".out"))
                r["findings"] = len(rep.get("findings") or [])
                r["stats"] = rep.get("stats")
            except (OSError, ValueError):
                r["note"] = (r["note"] + " stdout not JSON").strip()
        elif name == "ceiling":
            r["bytes_read"] = int(rd(base + ".out", "0") or 0)
        if r["seconds"]:
            r["mb_per_s"] = round(nbytes / 1e6 / r["seconds"], 1)
    rows.append(r)

add("hygiene", "self", os.path.join(run, "hygiene"))
add("ceiling", "ceiling", os.path.join(run, "ceiling"))
for st in sorted(glob.glob(os.path.join(run, "peer-*.status"))):
    name = os.path.basename(st)[5:-7]
    add(name, "peer", st[:-7])

ok_peers = [r for r in rows if r["kind"] == "peer" and r["status"] == "ok" and r["seconds"]]
fastest = min(ok_peers, key=lambda r: r["seconds"]) if ok_peers else None
for r in rows:
    if fastest and r["seconds"]:
        r["vs_fastest_peer"] = round(r["seconds"] / fastest["seconds"], 3)

def f(x, fmt):
    return "-" if x is None else fmt % x

print()
print("corpus: %s  (%d files, %.1f MB)   cpus: %s   fastest peer: %s" % (
    corpus, nfiles, nbytes / 1e6, os.cpu_count(), fastest["tool"] if fastest else "-"))
hdr = ["tool", "status", "seconds", "MB/s", "peak RSS MB", "vs fastest peer", "findings"]
tab = [[r["tool"], r["status"], f(r["seconds"], "%.2f"), f(r.get("mb_per_s"), "%.1f"), f(r["peak_rss_mb"], "%.0f"),
        f(r.get("vs_fastest_peer"), "%.2fx"), f(r["findings"], "%d")] for r in rows]
w = [max(len(str(x[i])) for x in tab + [hdr]) for i in range(len(hdr))]
print("  ".join(h.ljust(w[i]) if i < 2 else h.rjust(w[i]) for i, h in enumerate(hdr)))
print("  ".join("-" * x for x in w))
for x in tab:
    print("  ".join(str(c).ljust(w[i]) if i < 2 else str(c).rjust(w[i]) for i, c in enumerate(x)))
for r in rows:
    if r["status"] != "ok" or r["note"]:
        print("  %s: %s%s" % (r["tool"], r["status"], (" - " + r["note"].replace("\n", " | ")) if r["note"] else ""))

cpu = ""
for ln in rd("/proc/cpuinfo").split("\n"):
    if ln.startswith("model name"):
        cpu = ln.split(":", 1)[1].strip(); break
json.dump({"corpus": corpus, "size_mb_requested": float(size), "bytes": nbytes, "files": nfiles,
           "cpus": os.cpu_count(), "cpu_model": cpu, "kernel": platform.release(), "build": build,
           "fastest_peer": fastest["tool"] if fastest else None, "tools": rows},
          open(out, "w"), indent=1)
print("\nresults: %s" % out)
EOF
