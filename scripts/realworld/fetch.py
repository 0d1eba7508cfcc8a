#!/usr/bin/env python3
"""Rebuild the real-world evaluation tree from public repositories (docs, example configs only).

Usage:
    scripts/realworld/fetch.py [--mirror DIR] [--out DIR] [--only NAME,...]

    --mirror  where bare git snapshots live, one per repository as MIRROR/<owner>+<name>/repo
              (default /work/.mirror, where the session's `fetch` tool puts them; any bare clone
              works: `git clone --bare https://github.com/<owner>/<name> MIRROR/<owner>+<name>/repo`)
    --out     the tree to write (default /work/realworld); OUT/<dir>/ per row of repos.tsv,
              replaced as a whole on every run
    --only    rebuild only these rows (by dir name)

repos.tsv (next to this script) gives per repository: dir, group (infra | trading | holdout), owner/repo,
the commit, the path prefixes kept, the prefixes/extensions dropped and extra extensions. Only
text files with a documentation/config extension (TEXT_EXT, plus the row's extra ones) are
kept, except files named exactly in the include column. The commit must be present in the
mirror; the script fails (exit 1) when it is not, rather than taking another revision.
OUT/manifest.tsv lists every kept file with its size, for eval.py's per-MB figures.
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT_EXT = {
    "md", "mdx", "markdown", "rst", "txt", "adoc", "yml", "yaml", "json", "jsonnet", "libsonnet",
    "hcl", "tf", "tfvars", "sh", "bash", "env", "conf", "cfg", "ini", "toml", "properties", "log",
    "tpl", "j2", "dist", "example", "sample", "template", "policy", "nomad", "service", "sql",
}
MAX_BYTES = 5 * 1024 * 1024  # a larger "text" file is generated data, not documentation


def rows():
    with open(os.path.join(HERE, "repos.tsv")) as fh:
        for ln in fh:
            if not ln.strip() or ln.startswith("#"):
                continue
            d, group, repo, commit, inc, exc, extra = ln.rstrip("\n").split("\t")
            yield {
                "dir": d, "group": group, "repo": repo, "commit": commit,
                "include": [p for p in inc.split(",") if p],
                "exclude": [p for p in exc.split(",") if p and p != "-"],
                "extra": {e for e in extra.split(",") if e and e != "-"},
            }


def ext_of(path):
    base = path.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.lstrip(".") else ""


def wanted(path, size, row):
    for ex in row["exclude"]:
        if ex.startswith("*"):
            if path.endswith(ex[1:]):
                return False
        elif path.startswith(ex):
            return False
    for inc in row["include"]:
        if inc == path:
            return True
    if not any(inc == "." or path.startswith(inc.rstrip("/") + "/") for inc in row["include"]):
        return False
    if "/node_modules/" in "/" + path or "/vendor/" in "/" + path:
        return False
    return ext_of(path) in TEXT_EXT | row["extra"] and size <= MAX_BYTES


def build(row, mirror, out):
    gitdir = os.path.join(mirror, row["repo"].replace("/", "+"), "repo")
    if os.path.isdir(os.path.join(gitdir, ".git")):
        gitdir = os.path.join(gitdir, ".git")
    if subprocess.run(["git", "--git-dir", gitdir, "cat-file", "-e", row["commit"] + "^{commit}"],
                      capture_output=True).returncode != 0:
        sys.exit("%s: commit %s not in %s (fetch the repository first)" % (row["repo"], row["commit"], gitdir))
    ls = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "-l", "-z", row["commit"]],
                        capture_output=True, check=True).stdout.decode("utf-8", "surrogateescape")
    files = []
    for ent in ls.split("\0"):
        if not ent:
            continue
        meta, path = ent.split("\t", 1)
        mode, typ, sha, size = meta.split()
        if typ != "blob" or mode == "120000" or not size.isdigit():
            continue  # not a file, a symlink, or a blob absent from the snapshot ("BAD" size)
        if wanted(path, int(size), row):
            files.append((path, sha))
    dest = os.path.join(out, row["dir"])
    if os.path.exists(dest):
        shutil.rmtree(dest)
    cat = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    kept = []
    for path, sha in files:
        cat.stdin.write((sha + "\n").encode())
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        n = int(header[2])
        data = cat.stdout.read(n)
        cat.stdout.read(1)
        if b"\0" in data[:8192]:
            continue  # binary despite its name
        p = os.path.join(dest, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(data)
        kept.append((path, n))
    cat.stdin.close()
    cat.wait()
    return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default="/work/realworld")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    only = {x for x in a.only.split(",") if x}
    os.makedirs(a.out, exist_ok=True)
    man_path = os.path.join(a.out, "manifest.tsv")
    manifest = {}
    if os.path.exists(man_path):
        for ln in open(man_path):
            if not ln.startswith("#"):
                d, g, repo, commit, path, size = ln.rstrip("\n").split("\t")
                manifest.setdefault(d, []).append(ln)
    for row in rows():
        if only and row["dir"] not in only:
            continue
        kept = build(row, a.mirror, a.out)
        manifest[row["dir"]] = ["%s\t%s\t%s\t%s\t%s\t%d\n" % (row["dir"], row["group"], row["repo"], row["commit"], p, n)
                                for p, n in kept]
        print("%-22s %-40s %5d files %8.2f MB" % (row["dir"], row["repo"], len(kept), sum(n for _, n in kept) / 1e6))
    with open(man_path + ".tmp", "w") as fh:
        fh.write("# dir\tgroup\trepo\tcommit\tfile\tbytes\n")
        for d in sorted(manifest):
            fh.writelines(manifest[d])
    os.replace(man_path + ".tmp", man_path)


if __name__ == "__main__":
    main()
