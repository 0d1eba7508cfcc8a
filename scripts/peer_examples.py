#!/usr/bin/env python3
"""How many of another project's credential examples each scanner finds: a recall proxy for
"other projects' credential examples", text this project did not write.

Usage:
    scripts/peer_examples.py [--repo DIR] [--out DIR] [--hygiene PATH] [--peers a,b,...|none]

    --repo     a bare or working git clone of mongodb/kingfisher (default
               /work/.mirror/mongodb+kingfisher/repo, where the session's `fetch` tool puts
               it); its rule files' `examples:` lists are read at HEAD, whose commit is printed
    --out      where the example files and the tools' raw output go (default
               target/peer-examples; replaced on every run)
    --hygiene  the binary (default target/release/hygiene)
    --peers    peers run through ../shared/peers/peer.sh (default gitleaks,betterleaks)

Each example string becomes one file. A tool "finds" an example when it reports anything in
its file. The examples are written to show the rule's shape, and many are placeholders
(`abcdef1234567890...`, `123e4567-e89b-...`, sequential digits) that hygiene's decoy filters
reject on purpose, so the figure is printed twice: over every example, and over the examples
that do not look like placeholders (no run of sequential characters, no well-known example
value). Nothing here is committed: the examples stay in --out, which is under target/.
Needs PyYAML (`pip install pyyaml`).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_SH = os.environ.get("PEER_SH") or next(
    (p for p in (os.path.join(os.path.dirname(ROOT), "shared", "peers", "peer.sh"), "/work/shared/peers/peer.sh")
     if os.path.exists(p)),
    "../shared/peers/peer.sh",
)
# What a placeholder looks like: sequential or repeated characters, the RFC 4122 example UUID,
# words that say so.
PLACEHOLDER = re.compile(
    r"(?i)abcdef|bcdefg|123456|234567|345678|456789|987654|876543|xxxx|123e4567|0123|abcd|wxyz"
    r"|your|example|test|dummy|fake|sample|1111|0000|aaaa"
)


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=True).stdout


def examples(repo):
    """(rule id, index, text) of every example of every rule file at HEAD."""
    try:
        import yaml
    except ImportError:
        sys.exit("peer_examples.py needs PyYAML: pip install pyyaml")
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD").split()
             if "/rules/" in f and f.endswith((".yml", ".yaml"))]
    for path in files:
        try:
            doc = yaml.safe_load(git(repo, "show", f"HEAD:{path}"))
        except yaml.YAMLError:
            continue
        for rule in (doc or {}).get("rules") or []:
            for i, text in enumerate(rule.get("examples") or []):
                if isinstance(text, str) and text.strip():
                    yield rule.get("id", path), i, text


def found_files(kind, out_path, example_dir):
    names = set()
    if kind == "hygiene":
        with open(out_path) as fh:
            for f in json.load(fh)["findings"]:
                names.add(os.path.basename(f["file"]))
    else:
        with open(out_path) as fh:
            for line in fh:
                if line.strip():
                    names.add(os.path.basename(json.loads(line)["file"]))
    return names & set(os.listdir(example_dir))


def run_peers(peers, example_dir, out_dir, found, results):
    """Runs each peer of the comma-separated `peers` over `example_dir` (raw output in
    `out_dir/PEER.jsonl`) and stores `found(peer, output, example_dir)` in `results`."""
    for peer in [p for p in peers.split(",") if p and p != "none"]:
        out = os.path.join(out_dir, f"{peer}.jsonl")
        subprocess.run(["bash", PEER_SH, peer, example_dir, out], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if not os.path.exists(out):
            print(f"{peer}: no output (is it installed? {PEER_SH} list)", file=sys.stderr)
            continue
        results[peer] = found(peer, out, example_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default="/work/.mirror/mongodb+kingfisher/repo")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "peer-examples"))
    ap.add_argument("--hygiene", default=os.path.join(ROOT, "target", "release", "hygiene"))
    ap.add_argument("--peers", default="gitleaks,betterleaks")
    a = ap.parse_args()

    commit = git(a.repo, "rev-parse", "HEAD").strip()
    shutil.rmtree(a.out, ignore_errors=True)
    example_dir = os.path.join(a.out, "examples")
    os.makedirs(example_dir)
    placeholder = set()
    total = 0
    for rule, i, text in examples(a.repo):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{rule}.{i}") + ".txt"
        with open(os.path.join(example_dir, name), "w") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
        total += 1
        if PLACEHOLDER.search(text):
            placeholder.add(name)
    files = set(os.listdir(example_dir))
    real = files - placeholder

    results = {}
    env = dict(os.environ, HYGIENE_FINGERPRINT_KEY="peer-examples")
    out = os.path.join(a.out, "hygiene.json")
    with open(out, "w") as fh:
        subprocess.run([a.hygiene, "scan", example_dir, "--no-report", "--scope", "**", "--format", "json"],
                       stdout=fh, stderr=subprocess.DEVNULL, env=env)
    results["hygiene"] = found_files("hygiene", out, example_dir)
    run_peers(a.peers, example_dir, a.out, found_files, results)

    print(f"kingfisher rule examples at {commit}: {total} examples, "
          f"{len(real)} that do not look like placeholders")
    print(f"{'tool':12} {'found (all)':>16} {'found (not placeholders)':>26}")
    for tool, found in results.items():
        print(f"{tool:12} {len(found):6} {100 * len(found) / max(total, 1):6.1f}%"
              f" {len(found & real):14} {100 * len(found & real) / max(len(real), 1):6.1f}%")


if __name__ == "__main__":
    main()
