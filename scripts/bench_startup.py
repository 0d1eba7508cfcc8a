#!/usr/bin/env python3
"""Start-up latency: the pre-commit case (3 tiny files), median wall time of N runs, for the
release `hygiene` and the peers installed by ../shared/peers (gitleaks, ripsecrets, ...).

    python3 scripts/bench_startup.py [--runs 20] [--peers gitleaks,ripsecrets,betterleaks,kingfisher]

Writes target/bench/startup.json. Each peer runs via its own binary directly on the same
directory (no normalizing wrapper, so the wrapper's time is not counted).
"""
import argparse, json, os, pathlib, shutil, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PEERS = pathlib.Path(os.environ.get("PEERS_ROOT", "/tmp/peers")) / "bin"


def median_ms(cmd, cwd, runs):
    times = []
    for _ in range(runs + 2):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[2:])  # the first two runs warm the page cache


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--peers", default="gitleaks,ripsecrets,betterleaks,kingfisher")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    hygiene = ROOT / "target/release/hygiene"
    work = pathlib.Path(tempfile.mkdtemp(prefix="startup-"))
    files = []
    for i, text in enumerate(["# Runbook\nRotate keys quarterly.\n", "def main():\n    return 0\n", "level=info msg=ok\n"]):
        path = work / f"f{i}.txt"
        path.write_text(text)
        files.append(path.name)
    commands = {
        "hygiene": [str(hygiene), "scan", "--no-report", "--root", str(work), *[str(work / f) for f in files]],
        "gitleaks": [str(PEERS / "gitleaks"), "dir", str(work), "--no-banner", "-l", "error", "--exit-code", "0"],
        "betterleaks": [str(PEERS / "betterleaks"), "filesystem", str(work), "--silent", "--exit-code", "0"],
        "ripsecrets": [str(PEERS / "ripsecrets"), *[str(work / f) for f in files]],
        "kingfisher": [str(PEERS / "kingfisher"), "scan", str(work), "--git-history", "none", "--no-validate",
                       "--no-update-check", "-q"],
    }
    results = {}
    for name in ["hygiene", *[p for p in args.peers.split(",") if p]]:
        cmd = commands.get(name)
        if cmd is None or not pathlib.Path(cmd[0]).exists():
            print(f"{name:<12} not installed")
            continue
        results[name] = round(median_ms(cmd, work, args.runs), 2)
        print(f"{name:<12} {results[name]:8.2f} ms (median of {args.runs})")
    out = ROOT / "target/bench/startup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"nproc": os.cpu_count(), "runs": args.runs, "median_ms": results}, indent=2))
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
