#!/usr/bin/env python3
"""Score hygiene and peer scanners on the hand-labelled real-world tree built by fetch.py.

Usage:
    scripts/realworld/eval.py [--tree DIR] [--hygiene PATH|none] [--peers a,b,...|none]
                              [--out-dir DIR] [--reuse] [--labels FILE] [--json OUT]
                              [--unlabelled OUT] [--list TOOL] [--group NAME]

    --tree        the tree fetch.py wrote (default /work/realworld; needs its manifest.tsv)
    --hygiene     the binary (default: the newer of /work/main/target/release/hygiene and
                  /work/bin/hygiene-base); "none" skips it
    --peers       peers to run through /work/shared/peers/peer.sh (default gitleaks,betterleaks,
                  kingfisher: the ones whose findings are labelled; others show as "unlabelled")
    --out-dir     raw per-tool output (default /tmp/realworld-eval); it holds the tools' own
                  output, which may include secret values: keep it out of any repository
    --reuse       score the raw output already in --out-dir instead of running the tools
    --labels      labels.tsv (default: next to this script)
    --json        also write the figures as JSON (no values, no line text)
    --unlabelled  write every finding line no label covers (repo, file, line, tools, rules and
                  the line text cut to 160 chars) for labelling; prints nothing secret
                  otherwise, but that file does contain the text of the flagged lines
    --list TOOL   list this tool's false alarms by family and the labelled secrets it missed (3 lines
                  per family; the environment variable RW_LIST_MAX=N shows N)
                  (repeatable; file:line, family and reason only, never the line text)
    --group       score only one group of repositories (repos.tsv column 2: infra, trading,
                  holdout, ...); without it every group is scored. The held-out group's lines
                  (file:line, line text) are listed by --list/--unlabelled only when --group
                  names it; otherwise they are counted but not shown
    --by-repo     also print each tool's TP/FP per repository

Scoring unit: a (repo, file, line). Several findings of one tool on one line count once;
the same line flagged by several tools is one labelled item. labels.tsv has one row per item:
repo, file, line, verdict (secret | false | unsure), family, reason.
  TP = units on "secret" labels; FP = units on "false" labels; "unsure" units are left out
  of precision; precision = TP / (TP + FP); FP/MB = FP / megabytes of the scored tree
  (manifest.tsv); recall = TP / all "secret" labels (the union over every labelled tool).
hygiene stops listing a file's findings after --max-findings-per-file (default 1000); the
count it did not list ("not_listed") is shown beside its figures and not scored.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_SH = os.environ.get("PEER_SH", "/work/shared/peers/peer.sh")
DEFAULT_PEERS = "gitleaks,betterleaks,kingfisher"
NOT_TREE = ("manifest.tsv",)
STATE_DIRS = (".hygiene/",)
HELD_OUT = ("holdout",)  # groups whose lines --list/--unlabelled show only under an explicit --group


def default_hygiene():
    cands = [p for p in ("/work/main/target/release/hygiene", "/work/bin/hygiene-base") if os.path.exists(p)]
    return max(cands, key=lambda p: os.stat(p).st_mtime) if cands else "hygiene"


def load_manifest(tree):
    files, size, group = {}, defaultdict(int), {}
    with open(os.path.join(tree, "manifest.tsv")) as fh:
        for ln in fh:
            if ln.startswith("#") or not ln.strip():
                continue
            d, g, repo, commit, path, n = ln.rstrip("\n").split("\t")
            files[(d, path)] = int(n)
            size[d] += int(n)
            group[d] = g
    return files, size, group


def run_hygiene(binary, tree, out_dir, reuse):
    raw = os.path.join(out_dir, "hygiene.json")
    res = {"tool": "hygiene", "binary": binary, "findings": [], "not_listed": 0, "seconds": None}
    if not reuse:
        cmd = [binary, "scan", "--no-report", "--format", "json", "--scope", "**", tree]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True)
        res["seconds"] = round(time.time() - t0, 2)
        if p.returncode not in (0, 1):
            sys.exit("hygiene rc=%d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
        with open(raw, "wb") as fh:
            fh.write(p.stdout)
    rep = json.load(open(raw))
    if rep.get("errors"):
        res["errors"] = len(rep["errors"])
    res["not_listed"] = sum((rep.get("stats") or {}).get("not_listed", {}).values())
    for f in rep.get("findings") or []:
        res["findings"].append((f.get("file"), f.get("line"), f.get("rule_id")))
    return res


def run_peer(name, tree, out_dir, reuse):
    out = os.path.join(out_dir, name + ".jsonl")
    res = {"tool": name, "findings": [], "not_listed": 0, "seconds": None}
    if not reuse:
        env = dict(os.environ)
        env.setdefault("PEER_THREADS", "2")
        p = subprocess.run([PEER_SH, name, tree, out], capture_output=True, env=env)
        if p.returncode != 0:
            sys.exit("%s failed rc=%d: %s" % (name, p.returncode, p.stderr.decode("utf-8", "replace")[-400:]))
    try:
        res["seconds"] = json.load(open(out[:-6] + ".meta.json")).get("seconds")
    except (OSError, ValueError):
        pass
    with open(out, encoding="utf-8", errors="replace") as fh:
        for ln in fh:
            if ln.strip():
                d = json.loads(ln)
                res["findings"].append((d.get("file"), d.get("line"), d.get("rule")))
    return res


def split(f, tree):
    f = (f or "").replace("\\", "/")
    if os.path.isabs(f):
        f = os.path.relpath(f, tree)
    while f.startswith("./"):
        f = f[2:]
    if "/" not in f:
        return None, f
    d, rest = f.split("/", 1)
    return d, rest


def units_of(res, tree, group_of, only_group, aliases):
    """-> ({(repo, file, line): rules}, number of the tool's findings scored)"""
    units = defaultdict(set)
    n = 0
    for f, ln, rule in res["findings"]:
        d, rest = split(f, tree)
        if d is None or d + "/" in STATE_DIRS or rest in NOT_TREE:
            continue
        if only_group and group_of.get(d) != only_group:
            continue
        key = (d, rest, ln if isinstance(ln, int) else 0)
        units[aliases.get(key, key)].add(rule or "?")
        n += 1
    return units, n


ALIAS = re.compile(r"^same item as line (\d+)")


def load_labels(path):
    """-> (labels by (repo, file, line), aliases (repo, file, line) -> the line of the item).
    A row whose reason starts with "same item as line N" is a tool's report of the item on line N
    of the same file at another line (a multi-line match reported where it starts): it is scored
    as line N, and counted once."""
    labels, aliases = {}, {}
    if not os.path.exists(path):
        return labels, aliases
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (row["repo"], row["file"], int(row["line"]))
            if row["verdict"] not in ("secret", "false", "unsure"):
                sys.exit("labels: bad verdict %r at %s" % (row["verdict"], key))
            m = ALIAS.match(row["reason"])
            if m:
                aliases[key] = (key[0], key[1], int(m.group(1)))
            labels[key] = row
    for key, target in aliases.items():
        row = labels.pop(key)
        labels.setdefault(target, dict(row, line=str(target[2])))
    return labels, aliases


def line_text(tree, d, f, ln, cache={}):
    key = (d, f)
    if key not in cache:
        try:
            cache[key] = open(os.path.join(tree, d, f), encoding="utf-8", errors="replace").read().split("\n")
        except OSError:
            cache[key] = []
    lines = cache[key]
    return lines[ln - 1] if 0 < ln <= len(lines) else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", default="/work/realworld")
    ap.add_argument("--hygiene", default=default_hygiene())
    ap.add_argument("--peers", default=DEFAULT_PEERS)
    ap.add_argument("--out-dir", default="/tmp/realworld-eval")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--labels", default=os.path.join(HERE, "labels.tsv"))
    ap.add_argument("--json")
    ap.add_argument("--unlabelled")
    ap.add_argument("--list", action="append", default=[])
    ap.add_argument("--group", help="score only this group (repos.tsv column 2)")
    ap.add_argument("--by-repo", action="store_true", help="also print TP/FP per repository for every tool")
    a = ap.parse_args()
    tree = os.path.abspath(a.tree)
    os.makedirs(a.out_dir, exist_ok=True)
    _files, size, group_of = load_manifest(tree)
    if a.group and a.group not in set(group_of.values()):
        sys.exit("--group %s: no such group in %s (groups: %s)" % (
            a.group, os.path.join(tree, "manifest.tsv"), ", ".join(sorted(set(group_of.values())))))
    mb = sum(n for d, n in size.items() if not a.group or group_of[d] == a.group) / 1e6
    results = []
    if a.hygiene != "none":
        results.append(run_hygiene(a.hygiene, tree, a.out_dir, a.reuse))
    for name in [p for p in a.peers.split(",") if p and p != "none"]:
        results.append(run_peer(name, tree, a.out_dir, a.reuse))
    labels, aliases = load_labels(a.labels)
    # Only the repositories this tree holds are scored (fetch.py --only, or a tree without the
    # held-out group): a secret of a repository that is not there is not a miss.
    labels = {k: v for k, v in labels.items() if k[0] in group_of}
    if a.group:
        labels = {k: v for k, v in labels.items() if group_of.get(k[0]) == a.group}
    secrets = {k for k, v in labels.items() if v["verdict"] == "secret"}
    all_units = defaultdict(lambda: defaultdict(set))
    rows = []
    for res in results:
        units, nfind = units_of(res, tree, group_of, a.group, aliases)
        c = Counter()
        for k, rules in units.items():
            all_units[k][res["tool"]].update(rules)
            lab = labels.get(k)
            c[lab["verdict"] if lab else "unlabelled"] += 1
        tp, fp = c["secret"], c["false"]
        row = {
            "tool": res["tool"], "findings": nfind, "not_listed": res["not_listed"] if not a.group else 0,
            "lines": len(units), "tp": tp, "fp": fp, "unsure": c["unsure"], "unlabelled": c["unlabelled"],
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "fp_per_mb": round(fp / mb, 2) if mb else None,
            "recall": round(tp / len(secrets), 3) if secrets else None,
            "seconds": res["seconds"],
        }
        per = defaultdict(Counter)
        for k in units:
            lab = labels.get(k)
            per[k[0]][lab["verdict"] if lab else "unlabelled"] += 1
        row["per_repo"] = {d: dict(c) for d, c in per.items()}
        row["missed"] = sorted(secrets - set(units))
        row["fps"] = sorted(k for k in units if labels.get(k, {}).get("verdict") == "false")
        row["rules_at"] = {k: sorted(v) for k, v in units.items()}
        rows.append(row)
    print("tree %s: %.2f MB%s, %d labelled items (%d secret, %d false, %d unsure)" % (
        tree, mb, " (group %s)" % a.group if a.group else "", len(labels), len(secrets),
        sum(1 for v in labels.values() if v["verdict"] == "false"),
        sum(1 for v in labels.values() if v["verdict"] == "unsure")))
    hdr = "%-12s %8s %6s %5s %5s %6s %7s %9s %7s %6s" % ("tool", "findings", "lines", "TP", "FP", "unsure",
                                                      "unlab.", "precision", "FP/MB", "recall")
    print(hdr)
    print("-" * len(hdr))
    fmt = lambda x: "-" if x is None else ("%.3f" % x if isinstance(x, float) else str(x))
    for r in rows:
        print("%-12s %8d %6d %5d %5d %6d %7d %9s %7s %6s%s" % (
            r["tool"], r["findings"], r["lines"], r["tp"], r["fp"], r["unsure"], r["unlabelled"],
            fmt(r["precision"]), fmt(r["fp_per_mb"]), fmt(r["recall"]),
            "   (+%d not listed: over --max-findings-per-file)" % r["not_listed"] if r["not_listed"] else ""))
    if a.by_repo:
        repos = sorted({d for r in rows for d in r["per_repo"]} | {k[0] for k in secrets})
        print("\nper repository: TP/FP (secrets labelled in the repository; MB)")
        print("%-22s %6s %6s " % ("repo", "secret", "MB") + " ".join("%12s" % r["tool"] for r in rows))
        for d in repos:
            print("%-22s %6d %6.2f " % (d, sum(1 for k in secrets if k[0] == d), size.get(d, 0) / 1e6) + " ".join(
                "%12s" % ("%d/%d" % (r["per_repo"].get(d, {}).get("secret", 0), r["per_repo"].get(d, {}).get("false", 0)))
                for r in rows))
    shown = lambda k: a.group or group_of.get(k[0]) not in HELD_OUT
    for tool in a.list:
        r = next((r for r in rows if r["tool"] == tool), None)
        if not r:
            continue
        fam = defaultdict(list)
        for k in r["fps"]:
            fam[labels[k]["family"]].append(k)
        print("\n%s: %d false alarms in %d families" % (tool, len(r["fps"]), len(fam)))
        for f, ks in sorted(fam.items(), key=lambda x: -len(x[1])):
            fired = Counter(x for k in ks for x in r["rules_at"][k])
            print("  %4d  %s  [%s]" % (len(ks), f, ", ".join("%s %d" % x for x in fired.most_common())))
            for k in [k for k in ks if shown(k)][:int(os.environ.get("RW_LIST_MAX", "3"))]:
                print("          %s/%s:%d  %s" % (k[0], k[1], k[2], labels[k]["reason"][:100]))
        by = defaultdict(list)
        for k in r["missed"]:
            by[labels[k]["family"]].append(k)
        print("%s: %d labelled secrets missed" % (tool, len(r["missed"])))
        for f, ks in sorted(by.items(), key=lambda x: -len(x[1])):
            found_by = Counter(t for k in ks for t in all_units[k])
            print("  %4d  %s  (found by %s)" % (len(ks), f, ", ".join("%s %d" % x for x in found_by.most_common())))
            for k in [k for k in ks if shown(k)][:int(os.environ.get("RW_LIST_MAX", "3"))]:
                print("          %s/%s:%d" % k)
    if a.unlabelled:
        withheld = 0
        with open(a.unlabelled, "w") as fh:
            fh.write("repo\tfile\tline\ttools\trules\ttext\n")
            for k in sorted(all_units):
                if k in labels or k in aliases:
                    continue
                if not shown(k):
                    withheld += 1
                    continue
                tools = all_units[k]
                txt = line_text(tree, *k).strip().replace("\t", " ")[:160]
                fh.write("%s\t%s\t%d\t%s\t%s\t%s\n" % (k[0], k[1], k[2], ",".join(sorted(tools)),
                         ",".join(sorted({r for t in tools.values() for r in t})), txt))
        print("\nunlabelled lines written to %s%s" % (a.unlabelled, " (%d held-out lines not written: label them with --group)" % withheld if withheld else ""))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"tree_mb": mb, "group": a.group, "labels": len(labels), "secrets": len(secrets),
                       "tools": [{k: v for k, v in r.items() if k not in ("missed", "fps", "rules_at")} for r in rows]},
                      fh, indent=1)


if __name__ == "__main__":
    main()
