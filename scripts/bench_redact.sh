#!/usr/bin/env bash
# Throughput of `hygiene redact` next to `cat` and `sed -E` (one substitution), in the same run,
# on the same warm-cache log file. Prints MB/s for each and writes target/bench/redact.json.
#
#   scripts/bench_redact.sh [--size-mb N]     (default 1024; --quick = 50)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=1024
while [ $# -gt 0 ]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --quick) SIZE_MB=50; shift ;;
    *) echo "usage: $0 [--size-mb N | --quick]" >&2; exit 2 ;;
  esac
done
mkdir -p target/bench
LOG=target/bench/redact-${SIZE_MB}mb.log
cargo build --release --quiet
BIN=target/release/hygiene
if [ ! -f "$LOG" ]; then
  python3 - "$LOG" "$SIZE_MB" <<'PY'
import random, sys
path, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
words = ("order filled submitted cancelled heartbeat ok latency symbol BTCUSDT ETHUSDT qty price "
         "side buy sell strategy grid position pnl exchange request response status").split()
target = size_mb * 1_000_000
with open(path, "w") as f:
    size, i, buf = 0, 0, []
    while size < target:
        ts = f"2026-11-20T08:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        k = i % 4
        if k == 0:
            line = f"{ts} INFO  bot1 event=order_filled order_id={rnd.getrandbits(64):016x} symbol=BTCUSDT qty=0.{rnd.randint(1, 999)} latency_ms={rnd.randint(1, 300)}"
        elif k == 1:
            line = '{"ts":"%s","level":"info","msg":"%s","request_id":"req_%012x"}' % (ts, " ".join(rnd.choice(words) for _ in range(8)), rnd.getrandbits(48))
        elif k == 2:
            line = f'10.0.{rnd.randint(0, 255)}.{rnd.randint(0, 255)} - - [{ts}] "GET /api/v2/account?page={rnd.randint(1, 9)} HTTP/1.1" 200 {rnd.randint(100, 9999)}'
        else:
            line = f"{ts} DEBUG bot2 " + " ".join(rnd.choice(words) for _ in range(12))
        if i % 50_000 == 0:  # a few secrets: the input has few, as in a healthy log
            line += " password=Zq%06dxL!k" % i  # hygiene:allow (benchmark filler)
        buf.append(line)
        size += len(line) + 1
        i += 1
        if len(buf) >= 20_000:
            f.write("\n".join(buf) + "\n")
            buf = []
    f.write("\n".join(buf) + "\n")
PY
fi
BYTES=$(stat -c %s "$LOG")
cat "$LOG" > /dev/null  # warm the page cache
time_it() {  # name, command...: prints "name seconds"
  local name=$1; shift
  local start end
  start=$(date +%s%N)
  "$@" < "$LOG" > /dev/null
  end=$(date +%s%N)
  echo "$name $(( (end - start) / 1000 ))e-6"
}
{
  time_it cat cat
  time_it "sed -E" sed -E 's/(password=)[^ ]+/\1****/'
  time_it "hygiene redact" "$BIN" redact
} > target/bench/redact.txt
echo "input: $LOG ($((BYTES / 1000000)) MB), nproc=$(nproc)"
printf '%-16s %10s %10s\n' tool seconds MB/s
python3 - "$BYTES" <<'PY'
import json, sys
size = int(sys.argv[1])
rows = []
for line in open("target/bench/redact.txt"):
    name, secs = line.rsplit(" ", 1)
    secs = float(secs)
    rows.append({"tool": name, "seconds": round(secs, 3), "mb_per_s": round(size / 1e6 / secs, 1)})
for r in rows:
    print(f"{r['tool']:<16} {r['seconds']:>10.3f} {r['mb_per_s']:>10.1f}")
json.dump({"bytes": size, "results": rows}, open("target/bench/redact.json", "w"), indent=2)
PY
