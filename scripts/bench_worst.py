#!/usr/bin/env python3
"""Worst cases for the scanner, timed with peak memory: inputs that defeat the keyword pass.

    python3 scripts/bench_worst.py [--size-mb 200] [--peers kingfisher,betterleaks,...] [--no-build]

Generates, under target/bench/worst/ (cached per size), three trees of one log each:
  one-line   a single line of JSON objects, no newline at all
  dense      a rule keyword on every line and a leaked password on most (about 1.7 million
             findings at 200 MB): the regexes run on every line, and findings pile up
  base64     random base64 in 76-character lines (entropy checks, almost no keyword)
and times `hygiene scan DIR --include-logs --no-report --format json` on each (2 threads), then
each peer given (via /work/shared/peers/peer.sh, PEER_THREADS=2). Prints seconds, MB/s, peak
RSS and findings; writes target/bench/worst.json.
"""
import argparse
import base64
import json
import os
import random
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_SH = os.environ.get("PEER_SH", "/work/shared/peers/peer.sh")


def generate(root, size):
    rnd = random.Random(3)
    cases = {}
    for name in ("one-line", "dense", "base64"):
        path = os.path.join(root, name, "data", "x", "logs", name + ".log")
        cases[name] = os.path.join(root, name)
        if os.path.exists(path) and os.path.getsize(path) >= size:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            written = 0
            while written < size:
                if name == "one-line":
                    block = "".join(
                        '{"ts":"2026-11-20T08:00:%02d","msg":"order filled","qty":%d,"symbol":"BTCUSDT"},' % (i % 60, i)
                        for i in range(20000)
                    )
                elif name == "dense":
                    block = "".join(
                        "2026-11-20T08:00:00Z WARN config api_key=xxxxxxxx%d token=changeme password=hunter%d "
                        "secret_ref=vault:kv/app/key%d\n" % (i, written + i, i)
                        for i in range(20000)
                    )
                else:
                    raw = base64.b64encode(rnd.randbytes(300_000)).decode()
                    block = "\n".join(raw[i : i + 76] for i in range(0, len(raw), 76)) + "\n"
                f.write(block)
                written += len(block)
    return cases


def timed(cmd, env=None):
    """(seconds, peak RSS MB, exit code, stdout) of cmd under GNU time."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, env=env)
    last = out.stderr.decode().strip().splitlines()[-1]
    seconds, rss = re.match(r"([\d.]+) (\d+)", last).groups()
    return float(seconds), int(rss) / 1024, out.returncode, out.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--peers", default="")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    root = os.path.join(REPO, "target", "bench", "worst")
    cases = generate(root, args.size_mb * 1_000_000)
    hygiene = os.path.join(REPO, "target", "release", "hygiene")
    env = dict(os.environ, RAYON_NUM_THREADS="2", PEER_THREADS="2")
    rows = []
    for name, tree in cases.items():
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs)
        cmd = [hygiene, "scan", tree, "--include-logs", "--no-report", "--threads", "2", "--format", "json"]
        seconds, rss, code, stdout = timed(cmd, env)
        findings = len(json.loads(stdout)["findings"]) if code in (0, 1) else None
        rows.append({"case": name, "tool": "hygiene", "mb": size / 1e6, "seconds": seconds, "peak_rss_mb": rss,
                     "findings": findings})
        for peer in [p for p in args.peers.split(",") if p]:
            out = os.path.join(root, f"{name}-{peer}.jsonl")
            seconds, rss, code, _ = timed([PEER_SH, peer, tree, out], env)
            found = sum(1 for _ in open(out)) if os.path.exists(out) else None
            rows.append({"case": name, "tool": peer, "mb": size / 1e6, "seconds": seconds, "peak_rss_mb": rss,
                         "findings": found, "exit": code})
    print(f"{'case':<9} {'tool':<12} {'MB':>6} {'seconds':>8} {'MB/s':>7} {'peak RSS MB':>12} {'findings':>9}")
    for r in rows:
        print(f"{r['case']:<9} {r['tool']:<12} {r['mb']:>6.0f} {r['seconds']:>8.2f} {r['mb'] / r['seconds']:>7.0f} "
              f"{r['peak_rss_mb']:>12.0f} {r['findings'] if r['findings'] is not None else '-':>9}")
    with open(os.path.join(REPO, "target", "bench", "worst.json"), "w") as f:
        json.dump({"cpus": os.cpu_count(), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
