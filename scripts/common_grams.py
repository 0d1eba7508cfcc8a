#!/usr/bin/env python3
"""Count the most common 3-byte grams (ASCII case folded) in a sample of ordinary text.

The keyword finder (crates/hygiene-core/src/detect/keywords.rs) represents each rule keyword by one of its
3-byte substrings and checks every position of the input against them; a gram that is
common in ordinary text (`acc` of "account", `_id` of "request_id") makes it verify often
for nothing. This script produces the list of grams to avoid, from text that is not ours:
man pages, package documentation and system logs.

    python3 scripts/common_grams.py [--top N] DIR... > /tmp/grams.txt

Prints the N (default 600) most frequent grams, one per line, escaped as Rust byte-string
content. `.gz` files are decompressed; other binary files are skipped.
"""
import argparse
import collections
import gzip
import os
import sys


def texts(dirs):
    for top in dirs:
        for root, _, files in os.walk(top):
            for name in files:
                path = os.path.join(root, name)
                try:
                    if name.endswith(".gz"):
                        with gzip.open(path, "rb") as f:
                            data = f.read(1 << 20)
                    else:
                        with open(path, "rb") as f:
                            data = f.read(1 << 20)
                except OSError:
                    continue
                if b"\0" in data[:4096]:
                    continue
                yield data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=600)
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()
    counts = collections.Counter()
    fold = bytes(b | 0x20 for b in range(256))
    for data in texts(args.dirs):
        data = data.translate(fold)
        counts.update(data[i : i + 3] for i in range(len(data) - 2))
    for gram, _ in counts.most_common(args.top):
        print("".join(chr(b) if 0x20 < b < 0x7F and b not in b'"\\' else f"\\x{b:02x}" for b in gram))


if __name__ == "__main__":
    sys.exit(main())
