#!/usr/bin/env bash
# `Redactor.redact_bytes` (the Python package) next to `hygiene redact` on the same log with
# the same known values: seconds and MB/s of each, their ratio, and whether the outputs are
# byte-identical. Not part of the tests (the machine may be busy); the figure goes in reports.
#
#   scripts/bench_python_redact.sh [--size-mb N] [--python PATH] [--rounds N]
#
# PATH is a Python with the wheel installed (default: the venv .ci/run makes,
# target/python-ci/test/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=100
ROUNDS=3
PY=target/python-ci/test/bin/python
while [ $# -gt 0 ]; do
  case $1 in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --python) PY=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: $0 [--size-mb N] [--python PATH] [--rounds N]" >&2; exit 2 ;;
  esac
done
mkdir -p target/bench
LOG=target/bench/pyredact-${SIZE_MB}mb.log
cargo build --release --quiet --bin hygiene
BIN=target/release/hygiene
# Made-up credentials for this run only: known values the redactor is given through --env.
export BENCH_BITGET_SECRET BENCH_DB_PASSWORD
BENCH_BITGET_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
BENCH_DB_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(10))')
python3 - "$LOG" "$SIZE_MB" <<'PY'
import os, random, sys
from urllib.parse import quote
path, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(11)
secret, password = os.environ["BENCH_BITGET_SECRET"], os.environ["BENCH_DB_PASSWORD"]
words = "order filled submitted heartbeat ok latency symbol BTCUSDT qty price side buy sell grid pnl".split()
with open(path, "w") as f:
    size, i, buf = 0, 0, []
    while size < size_mb * 1_000_000:
        ts = f"2026-11-20T08:{(i // 60) % 60:02d}:{i % 60:02d}Z"
        if i % 3 == 0:
            line = f"{ts} INFO bot1 order_id={rnd.getrandbits(64):016x} qty=0.{rnd.randint(1, 999)} latency_ms={rnd.randint(1, 300)}"
        elif i % 3 == 1:
            line = '{"ts":"%s","msg":"%s","request_id":"req_%012x"}' % (ts, " ".join(rnd.choice(words) for _ in range(8)), rnd.getrandbits(48))
        else:
            line = f"{ts} DEBUG bot2 " + " ".join(rnd.choice(words) for _ in range(12))
        if i % 20_000 == 0:
            line += f" url=https://db/?pw={quote(password)} err=\"secret={secret}\""
        buf.append(line)
        size += len(line) + 1
        i += 1
        if len(buf) >= 20_000:
            f.write("\n".join(buf) + "\n")
            buf = []
    f.write("\n".join(buf) + "\n")
PY
cat "$LOG" > /dev/null  # warm the page cache
# Alternating rounds, the fastest of each side: the machine may be shared.
"$PY" - "$LOG" "$BIN" "$ROUNDS" <<'PY'
import subprocess, sys, time
from secrets_hygiene import Redactor
path, binary, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
cli_s, py_s, redact_s = [], [], []
for _ in range(rounds):
    started = time.perf_counter()
    with open(path, "rb") as f, open("target/bench/pyredact-cli.out", "wb") as out:
        subprocess.run([binary, "redact", "--env", "BENCH_*"], stdin=f, stdout=out, check=True)
    cli_s.append(time.perf_counter() - started)
    started = time.perf_counter()
    redactor = Redactor(env_globs=["BENCH_*"])
    with open(path, "rb") as f:
        data = f.read()
    read = time.perf_counter()
    out = redactor.redact_bytes(data)
    done = time.perf_counter()
    py_s.append(done - started)
    redact_s.append(done - read)
with open("target/bench/pyredact-cli.out", "rb") as f:
    identical = f.read() == out
mb = len(data) / 1e6
print(f"input                  {mb:.1f} MB, fastest of {rounds} rounds")
print(f"hygiene redact         {min(cli_s):.2f} s  {mb / min(cli_s):.0f} MB/s (whole process, file on stdin)")
print(f"Redactor.redact_bytes  {min(redact_s):.2f} s  {mb / min(redact_s):.0f} MB/s"
      f" ({min(py_s):.2f} s with building the Redactor and reading the file)")
print(f"python / cli speed     {min(cli_s) / min(py_s):.2f} (>= 0.5 required)")
print(f"byte-identical         {identical}")
sys.exit(0 if identical else 1)
PY
