#!/usr/bin/env python3
"""Score hygiene and peer secret scanners against a labelled corpus from scripts/gen_corpus.py.

Usage:
    scripts/eval.py CORPUS_DIR [--peers kingfisher,gitleaks,...|all|none] [--hygiene PATH|none]
                    [--json OUT] [--out-dir DIR] [--list TOOL] [--timeout SEC] [--by-provider]

    CORPUS_DIR   made by gen_corpus.py: the tree plus CORPUS_DIR/labels.jsonl
    --peers      comma-separated peer names (see /work/shared/peers/peer.sh list);
                 "all" = every installed peer (default), "none" = hygiene only
    --hygiene    the hygiene binary (default: target/release/hygiene of this repo); "none" skips it
    --json       where to write the JSON results (default target/eval/results.json)
    --out-dir    where raw per-tool findings go (default target/eval/)
    --list       also list false positives and misses of this tool (repeatable; hygiene always)
    --timeout    per-tool time limit in seconds (default 1800)
    --by-provider  also print recall and flagged decoys per provider (providers suite)

Suites: labels with "suite": "providers" (scripts/providers.py: families cloud, platform, cicd,
observability, messaging, fintech, ai, generic, encoded; vendor in "provider") are scored apart
from the classic ones (no "suite" field: alpaca, bitget, aws, ...). Classic families keep their
plain names in the results, so old numbers stay comparable; a providers family is keyed
"providers/<family>" in per_family, and shown in its own table. A finding off the labels counts
as unlabelled FP of the suite whose files it is in.

Scoring (by file + line, never by value):
  * every finding is reduced to (file, line); several findings on one line count once, and
    all findings inside one multi-line label (a PEM block reported on each of its lines)
    count once too: the scoring unit is "a labelled item" or, off the labels, "a line";
  * a unit on a "secret" label is a true positive (TP) and the label is found; on a "decoy"
    label it is a false positive (FP) attributed to that decoy's family (and class);
    anywhere else it is an "unlabelled" FP;
  * recall(family)    = secret labels of the family with >= 1 finding / its secret labels;
  * precision         = TP / (TP + FP);
  * precision(family) = TP on the family's secrets / (those + FP on decoys of the family);
  * F1 = 2PR / (P + R).
Findings in the corpus's metadata files (labels.jsonl, corpus.json) and in scanner state left in
the root (.hygiene/, written by `hygiene scan`) are dropped and counted ("dropped_metadata").
Secret values are never printed nor written to the results (the raw per-tool files under
--out-dir do hold the tools' own output, which may include the fake values).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER_SH = os.environ.get("PEER_SH", "/work/shared/peers/peer.sh")
META_FILES = {"labels.jsonl", "corpus.json"}
# state a scanner leaves in the scanned root (hygiene writes ROOT/.hygiene/fingerprint.key):
# not part of the corpus; findings there are dropped like those in the metadata files
STATE_DIRS = (".hygiene/",)


# ----------------------------------------------------------------------------- running tools
def installed_peers():
    if not os.path.exists(PEER_SH):
        return []
    try:
        out = subprocess.run([PEER_SH, "list"], capture_output=True, text=True, timeout=60).stdout
    except Exception:
        return []
    return [x.strip() for x in out.split() if x.strip()]


def run_hygiene(binary, corpus, out_dir, timeout):
    """-> dict(status, seconds, findings=[(file, line, end_line, rule)], note)"""
    res = {"tool": "hygiene", "status": "ok", "seconds": None, "findings": [], "note": ""}
    if not os.path.exists(binary):
        res.update(status="missing", note="%s not found (cargo build --release)" % binary)
        return res
    cmd = [binary, "scan", corpus, "--include-logs", "--no-report", "--format", "json"]
    res["cmd"] = cmd
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        res.update(status="timeout", note="> %ss" % timeout)
        return res
    res["seconds"] = round(time.time() - t0, 3)
    res["rc"] = p.returncode
    raw = os.path.join(out_dir, "hygiene.json")
    with open(raw, "wb") as fh:
        fh.write(p.stdout)
    try:
        rep = json.loads(p.stdout.decode("utf-8", "replace") or "null")
    except ValueError as e:
        res.update(status="failed", note="rc=%d, stdout is not JSON (%s); stderr: %s" % (
            p.returncode, e, p.stderr.decode("utf-8", "replace")[-400:].strip()))
        return res
    if not isinstance(rep, dict):
        res.update(status="failed", note="rc=%d, no report; stderr: %s" % (p.returncode, p.stderr.decode()[-400:]))
        return res
    if p.returncode not in (0, 1):
        res.update(status="error", note="rc=%d (scored anyway); errors: %s" % (
            p.returncode, json.dumps(rep.get("errors"))[:300]))
    elif rep.get("errors"):
        res["note"] = "%d scan errors reported" % len(rep["errors"])
    for f in rep.get("findings") or []:
        res["findings"].append((f.get("file"), f.get("line"), f.get("end_line"), f.get("rule_id")))
    res["stats"] = rep.get("stats")
    return res


def run_peer(name, corpus, out_dir, timeout):
    res = {"tool": name, "status": "ok", "seconds": None, "findings": [], "note": ""}
    out = os.path.join(out_dir, "%s.jsonl" % name)
    for p in (out, out[:-6] + ".meta.json"):
        if os.path.exists(p):
            os.remove(p)
    env = dict(os.environ)
    env.setdefault("PEER_THREADS", "2")
    t0 = time.time()
    try:
        # own session so that a timeout can end the whole process tree of the peer
        p = subprocess.Popen([PEER_SH, name, corpus, out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.communicate()
            res.update(status="timeout", note="> %ss" % timeout)
            return res
    except OSError as e:
        res.update(status="failed", note=str(e))
        return res
    wall = time.time() - t0
    if p.returncode != 0:
        res.update(status="failed", note="rc=%d: %s" % (p.returncode, err.decode("utf-8", "replace")[-400:].strip()))
        return res
    try:
        meta = json.load(open(out[:-6] + ".meta.json"))
        res["seconds"] = meta.get("seconds")
        res["version"] = meta.get("version")
    except (OSError, ValueError):
        res["seconds"] = round(wall, 3)
    with open(out, encoding="utf-8", errors="replace") as fh:
        for ln in fh:
            if ln.strip():
                d = json.loads(ln)
                res["findings"].append((d.get("file"), d.get("line"), None, d.get("rule")))
    return res


# ----------------------------------------------------------------------------- scoring
def load_labels(corpus):
    labels = [json.loads(x) for x in open(os.path.join(corpus, "labels.jsonl")) if x.strip()]
    for d in labels:
        d.setdefault("suite", "classic")
        d["famkey"] = d["family"] if d["suite"] == "classic" else "%s/%s" % (d["suite"], d["family"])
    at = {}
    for d in labels:
        for ln in range(d["line"], d["end_line"] + 1):
            at[(d["file"], ln)] = d
    return labels, at


def norm_file(f, corpus, label_files):
    if f is None:
        return None
    f = f.replace("\\", "/")
    if os.path.isabs(f):
        r = os.path.relpath(f, corpus)
        if r.startswith(".."):
            r = os.path.relpath(os.path.realpath(f), os.path.realpath(corpus))
        f = r
    while f.startswith("./"):
        f = f[2:]
    if f not in label_files:
        # a finding inside a compressed file may be reported as "x.log.gz!x.log", "x.log.gz:inner", ...
        for lf in label_files:
            if lf.endswith(".gz") and f.startswith(lf) and len(f) > len(lf) and f[len(lf)] in "!:/#":
                return lf
    return f


def f1(p, r):
    return None if p is None or r is None or (p + r) == 0 else 2 * p * r / (p + r)


def score(res, corpus, labels, at):
    label_files = {d["file"] for d in labels}
    file_suite = {d["file"]: d["suite"] for d in labels}
    lines = {}  # (file, line) -> rules
    dropped = 0
    no_line = 0
    for f, ln, _end, rule in res["findings"]:
        f = norm_file(f, corpus, label_files)
        if f in META_FILES or (f or "").startswith(STATE_DIRS):
            dropped += 1
            continue
        if not isinstance(ln, int):
            no_line += 1
            ln = 0
        lines.setdefault((f, ln), set()).add(rule or "?")
    # scoring units: a labelled item (all its lines together: a PEM block reported on every
    # line counts once) or, off the labels, one (file, line)
    units = {}
    for (f, ln), rules in lines.items():
        d = at.get((f, ln))
        key = ("label", d["id"]) if d else ("line", f, ln)
        u = units.setdefault(key, {"file": f, "line": d["line"] if d else ln, "label": d, "rules": set()})
        u["rules"].update(rules)
    found = {}         # label id -> rules
    tp_lines = defaultdict(int)
    fp_lines = defaultdict(int)
    fp_class = defaultdict(int)
    suite_tp, suite_fp = defaultdict(int), defaultdict(int)
    fps = []
    for u in sorted(units.values(), key=lambda u: (str(u["file"]), u["line"])):
        d = u["label"]
        if d and d["kind"] == "secret":
            tp_lines[d["famkey"]] += 1
            suite_tp[d["suite"]] += 1
            found.setdefault(d["id"], set()).update(u["rules"])
        else:
            suite = d["suite"] if d else file_suite.get(u["file"], "classic")
            suite_fp[suite] += 1
            fam = d["famkey"] if d else ("unlabelled" if suite == "classic" else suite + "/unlabelled")
            fp_lines[fam] += 1
            fp_class[d.get("class", "?") if d else "unlabelled"] += 1
            fps.append({"file": u["file"], "line": u["line"], "family": fam, "class": d.get("class") if d else None,
                        "what": d["what"] if d else None, "ctx": d.get("ctx") if d else None, "id": d["id"] if d else None,
                        "provider": d.get("provider") if d else None,
                        "rules": sorted(u["rules"])})
    secrets = [d for d in labels if d["kind"] == "secret"]
    fam_total, fam_hit = defaultdict(int), defaultdict(int)
    ctx_total, ctx_hit = defaultdict(int), defaultdict(int)
    misses = []
    suite_total, suite_hit = defaultdict(int), defaultdict(int)
    prov_total, prov_hit, prov_decoys, prov_decoy_hit = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for d in secrets:
        fam_total[d["famkey"]] += 1
        ctx_total[d["ctx"]] += 1
        suite_total[d["suite"]] += 1
        if d.get("provider"):
            prov_total[d["provider"]] += 1
        if d["id"] in found:
            fam_hit[d["famkey"]] += 1
            ctx_hit[d["ctx"]] += 1
            suite_hit[d["suite"]] += 1
            if d.get("provider"):
                prov_hit[d["provider"]] += 1
        else:
            misses.append({k: d.get(k) for k in ("file", "line", "end_line", "family", "ctx", "what", "id", "provider")})
    decoys = [d for d in labels if d["kind"] == "decoy"]
    decoy_hit = {d["id"] for d in decoys if ("label", d["id"]) in units}
    for d in decoys:
        if d.get("provider"):
            prov_decoys[d["provider"]] += 1
            prov_decoy_hit[d["provider"]] += d["id"] in decoy_hit
    per_suite = {}
    for st in sorted(set(suite_total) | set(suite_fp)):
        t, fp = suite_tp.get(st, 0), suite_fp.get(st, 0)
        rec = suite_hit.get(st, 0) / suite_total[st] if suite_total.get(st) else None
        prec = t / (t + fp) if (t + fp) else None
        per_suite[st] = {"secrets": suite_total.get(st, 0), "found": suite_hit.get(st, 0), "recall": rec,
                         "tp_lines": t, "fp_lines": fp, "precision": prec, "f1": f1(prec, rec),
                         "decoys": sum(1 for d in decoys if d["suite"] == st),
                         "decoys_flagged": sum(1 for d in decoys if d["suite"] == st and d["id"] in decoy_hit)}
    per_provider = {p: {"secrets": prov_total.get(p, 0), "found": prov_hit.get(p, 0),
                        "recall": prov_hit.get(p, 0) / prov_total[p] if prov_total.get(p) else None,
                        "decoys": prov_decoys.get(p, 0), "decoys_flagged": prov_decoy_hit.get(p, 0)}
                    for p in sorted(set(prov_total) | set(prov_decoys))}
    ntp, nfp = sum(tp_lines.values()), sum(fp_lines.values())
    fams = sorted(set(fam_total) | set(fp_lines))
    per_family = {}
    for fam in fams:
        t, fp = tp_lines.get(fam, 0), fp_lines.get(fam, 0)
        per_family[fam] = {"secrets": fam_total.get(fam, 0), "found": fam_hit.get(fam, 0),
                           "recall": (fam_hit.get(fam, 0) / fam_total[fam]) if fam_total.get(fam) else None,
                           "tp_lines": t, "fp_lines": fp, "precision": (t / (t + fp)) if (t + fp) else None}
        per_family[fam]["f1"] = f1(per_family[fam]["precision"], per_family[fam]["recall"])
    return {
        "finding_lines": len(lines), "units": len(units), "raw_findings": len(res["findings"]),
        "dropped_metadata": dropped,
        "findings_without_line": no_line,
        "tp_lines": ntp, "fp_lines": nfp,
        "secrets": len(secrets), "found": len(found),
        "recall": len(found) / len(secrets) if secrets else None,
        "precision": ntp / (ntp + nfp) if (ntp + nfp) else None,
        "f1": f1(ntp / (ntp + nfp) if (ntp + nfp) else None, len(found) / len(secrets) if secrets else None),
        "per_suite": per_suite,
        "per_provider": per_provider,
        "decoys": len(decoys), "decoys_flagged": len(decoy_hit),
        "per_family": per_family,
        "per_ctx": {c: {"secrets": ctx_total[c], "found": ctx_hit.get(c, 0), "recall": ctx_hit.get(c, 0) / ctx_total[c]}
                    for c in sorted(ctx_total)},
        "fp_by_class": dict(sorted(fp_class.items())),
        "false_positives": fps,
        "misses": misses,
        "rules_per_label": {k: sorted(v) for k, v in sorted(found.items())},
    }


# ----------------------------------------------------------------------------- printing
def pct(x):
    return "  -  " if x is None else "%5.1f" % (100 * x)


def table(rows, header):
    w = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    out = ["  ".join(str(h).ljust(w[i]) if i == 0 else str(h).rjust(w[i]) for i, h in enumerate(header))]
    out.append("  ".join("-" * x for x in w))
    for r in rows:
        out.append("  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i]) for i, c in enumerate(r)))
    return "\n".join(out)


PROVIDER_FAMILIES = ["cloud", "platform", "cicd", "observability", "messaging", "fintech", "ai", "generic", "encoded"]


def report(results, labels, by_provider=False):
    ok = [r for r in results if r["status"] in ("ok", "error")]
    names = [r["tool"] for r in ok]
    print()
    print("corpus: %d secret labels, %d decoy labels" % (sum(d["kind"] == "secret" for d in labels),
                                                          sum(d["kind"] == "decoy" for d in labels)))
    for r in results:
        if r["status"] not in ("ok", "error"):
            print("  %-14s %s: %s" % (r["tool"], r["status"].upper(), r.get("note", "")))
        elif r.get("note"):
            print("  %-14s note: %s" % (r["tool"], r["note"]))
    if not ok:
        return
    print("\n== overall")
    rows = []
    for key, label, f in [("recall", "recall %", pct), ("precision", "precision %", pct), ("f1", "F1 %", pct),
                          ("found", "secrets found", str), ("tp_lines", "TP", str), ("fp_lines", "FP", str),
                          ("decoys_flagged", "decoys flagged", str), ("finding_lines", "finding lines", str), ("raw_findings", "raw findings", str),
                          ("seconds", "seconds", lambda x: "-" if x is None else "%.2f" % x)]:
        rows.append([label] + [f(r["score"][key] if key in r["score"] else r.get(key)) for r in ok])
    print(table(rows, ["metric"] + names))

    suites = sorted({s for r in ok for s in r["score"]["per_suite"]})
    if len(suites) > 1 or suites != ["classic"]:
        print("\n== by suite (recall / precision / F1 %; classic = the original families, providers = scripts/providers.py)")
        rows = []
        for st in suites:
            row = [st]
            for r in ok:
                p = r["score"]["per_suite"].get(st)
                row.append("-" if not p else "%s %s %s" % (pct(p["recall"]), pct(p["precision"]), pct(p["f1"])))
            rows.append(row)
        print(table(rows, ["suite"] + ["%s R/P/F1" % n for n in names]))
    pfams = [f for f in ["providers/" + x for x in PROVIDER_FAMILIES] + ["providers/unlabelled"]
             if any(f in r["score"]["per_family"] for r in ok)]
    if pfams:
        print("\n== providers suite by family (recall = found/secrets; precision = TP/(TP+FP), FP = flagged decoys of the family)")
        rows = []
        for fam in pfams:
            row = [fam.split("/", 1)[1]]
            for r in ok:
                p = r["score"]["per_family"].get(fam)
                if not p:
                    row += ["-", "-"]
                    continue
                row.append("-" if not p["secrets"] else "%d/%d %s" % (p["found"], p["secrets"], pct(p["recall"])))
                row.append("-" if not (p["tp_lines"] + p["fp_lines"]) else "%d/%d %s" % (
                    p["tp_lines"], p["tp_lines"] + p["fp_lines"], pct(p["precision"])))
            rows.append(row)
        print(table(rows, ["family"] + [h for n in names for h in (n + " recall", n + " precision")]))
    if by_provider:
        provs = sorted({p for r in ok for p in r["score"]["per_provider"]})
        print("\n== providers suite by provider (found/secrets, decoys flagged/decoys)")
        rows = []
        for pv in provs:
            row = [pv]
            for r in ok:
                p = r["score"]["per_provider"].get(pv)
                row.append("-" if not p else "%s %s" % ("%d/%d" % (p["found"], p["secrets"]) if p["secrets"] else "-",
                                                        "d%d/%d" % (p["decoys_flagged"], p["decoys"]) if p["decoys"] else ""))
            rows.append(row)
        print(table(rows, ["provider"] + names))

    fams = sorted({f for r in ok for f in r["score"]["per_family"] if "/" not in f}, key=lambda f: (f == "unlabelled", f))
    secret_fams = [f for f in fams if any(r["score"]["per_family"][f]["secrets"] for r in ok if f in r["score"]["per_family"])]
    print("\n== recall by family (found/secrets  %%)%s" % (" [classic suite]" if pfams else ""))
    rows = []
    for fam in secret_fams:
        row = [fam]
        for r in ok:
            p = r["score"]["per_family"].get(fam)
            row.append("%d/%d %s" % (p["found"], p["secrets"], pct(p["recall"])) if p else "-")
        rows.append(row)
    print(table(rows, ["family"] + names))

    print("\n== precision by family (TP / TP+FP  %%; FP = flagged decoys imitating the family)%s" % (" [classic suite]" if pfams else ""))
    rows = []
    for fam in fams:
        row = [fam]
        for r in ok:
            p = r["score"]["per_family"].get(fam)
            row.append("-" if not p or not (p["tp_lines"] + p["fp_lines"]) else
                       "%d/%d %s" % (p["tp_lines"], p["tp_lines"] + p["fp_lines"], pct(p["precision"])))
        rows.append(row)
    print(table(rows, ["family"] + names))

    print("\n== false positives by decoy class")
    classes = sorted({c for r in ok for c in r["score"]["fp_by_class"]}, key=lambda c: (c == "unlabelled", c))
    rows = [[c] + [str(r["score"]["fp_by_class"].get(c, 0)) for r in ok] for c in classes]
    if rows:
        print(table(rows, ["class"] + names))
    else:
        print("(none)")

    print("\n== recall by context")
    ctxs = sorted({c for r in ok for c in r["score"]["per_ctx"]})
    rows = [[c] + ["%d/%d %s" % (r["score"]["per_ctx"][c]["found"], r["score"]["per_ctx"][c]["secrets"],
                                 pct(r["score"]["per_ctx"][c]["recall"])) for r in ok] for c in ctxs]
    print(table(rows, ["context"] + names))


def list_details(r):
    s = r["score"]
    print("\n== %s: %d false positives" % (r["tool"], len(s["false_positives"])))
    for fp in s["false_positives"]:
        print("  %s:%s  %-12s %-16s %s  [%s]" % (fp["file"], fp["line"], fp["family"], fp["class"] or "",
                                               fp["what"] or "(no label on this line)", ",".join(fp["rules"])))
    print("\n== %s: %d missed secrets" % (r["tool"], len(s["misses"])))
    for m in s["misses"]:
        loc = "%s:%d" % (m["file"], m["line"]) + ("-%d" % m["end_line"] if m["end_line"] != m["line"] else "")
        print("  %s  %-14s %-10s %s" % (loc, m["family"], m["ctx"], m["what"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("corpus")
    ap.add_argument("--peers", default="all")
    ap.add_argument("--hygiene", default=os.path.join(REPO, "target", "release", "hygiene"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--out-dir", default=os.path.join(REPO, "target", "eval"))
    ap.add_argument("--list", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--by-provider", action="store_true")
    a = ap.parse_args()
    corpus = os.path.abspath(a.corpus)
    if not os.path.exists(os.path.join(corpus, "labels.jsonl")):
        sys.exit("eval: %s/labels.jsonl not found (make the corpus with scripts/gen_corpus.py)" % corpus)
    os.makedirs(a.out_dir, exist_ok=True)
    labels, at = load_labels(corpus)

    if a.peers == "all":
        peers = installed_peers()
    elif a.peers in ("none", ""):
        peers = []
    else:
        peers = [p.strip() for p in a.peers.split(",") if p.strip()]
    have = set(installed_peers())

    results = []
    if a.hygiene != "none":
        print("eval: running hygiene ...", file=sys.stderr)
        results.append(run_hygiene(os.path.abspath(a.hygiene), corpus, a.out_dir, a.timeout))
    for p in peers:
        if p not in have:
            results.append({"tool": p, "status": "missing", "findings": [], "seconds": None,
                            "note": "not installed (bash /work/shared/peers/peers-install.sh)"})
            continue
        print("eval: running %s ..." % p, file=sys.stderr)
        results.append(run_peer(p, corpus, a.out_dir, a.timeout))
    for r in results:
        if r["status"] in ("ok", "error"):
            r["score"] = score(r, corpus, labels, at)

    report(results, labels, a.by_provider)
    for r in results:
        if r["status"] in ("ok", "error") and (r["tool"] == "hygiene" or r["tool"] in a.list):
            list_details(r)

    out = a.json or os.path.join(a.out_dir, "results.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    doc = {"corpus": corpus, "corpus_meta": json.load(open(os.path.join(corpus, "corpus.json")))
           if os.path.exists(os.path.join(corpus, "corpus.json")) else None,
           "labels": {"secrets": sum(d["kind"] == "secret" for d in labels), "decoys": sum(d["kind"] == "decoy" for d in labels),
                      "by_suite": {st: {"secrets": sum(d["kind"] == "secret" and d["suite"] == st for d in labels),
                                        "decoys": sum(d["kind"] == "decoy" and d["suite"] == st for d in labels)}
                                   for st in sorted({d["suite"] for d in labels})}},
           "tools": {}}
    for r in results:
        doc["tools"][r["tool"]] = {k: r.get(k) for k in ("status", "note", "seconds", "version", "rc", "cmd", "stats", "score")
                                   if r.get(k) is not None}
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
    print("\neval: results written to %s" % out, file=sys.stderr)


if __name__ == "__main__":
    main()
