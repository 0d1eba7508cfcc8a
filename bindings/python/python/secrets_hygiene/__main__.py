"""``python -m secrets_hygiene scan|redact``: the ``hygiene`` commands of the same names, for
machines that have the Python package but not the binary. A thin argparse front end over the
same library calls; the same exit codes: 0 pass, 1 findings (or ``--check`` found something),
2 error (argparse's usage errors exit 2 as well)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from . import _native
from ._native import MIN_KNOWN_LEN, Redactor

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _count(text: str) -> int:
    """A number >= 0 (as the binary's `usize` flags: anything else is a usage error)."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: a number >= 0")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m secrets_hygiene", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    redact = commands.add_parser("redact", help="mask secrets in a stream (stdin to stdout) or rewrite files in place")
    redact.add_argument("files", nargs="*", metavar="FILE", help="files to read (default: stdin)")
    redact.add_argument("--in-place", action="store_true", help="rewrite each FILE atomically")
    redact.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would be redacted")
    redact.add_argument("--stats", action="store_true", help="print redaction counts per rule on stderr")
    redact.add_argument("--env", dest="env_globs", action="append", default=[], metavar="GLOB",
                        help="also redact the values of environment variables whose names match GLOB")
    redact.add_argument("--env-file", dest="env_files", action="append", default=[], metavar="PATH",
                        help="also redact every value of this KEY=VALUE env file")
    redact.add_argument("--rules", dest="rules", action="append", default=[], metavar="DIR",
                        help="add the rule packs in DIR")
    scan = commands.add_parser("scan", help="scan docs/, reports/ (and logs) for secrets; write the report")
    scan.add_argument("paths", nargs="*", metavar="ROOT|FILE", help="a root directory (default .), or files to scan")
    scan.add_argument("--root", metavar="DIR", help="root for report paths and hygiene.toml when scanning files")
    scan.add_argument("--include-logs", action="store_true", help="also scan service logs: data/*/logs/**")
    scan.add_argument("--scope", dest="scopes", action="append", default=[], metavar="GLOB",
                      help="scan these globs instead of the default scopes")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out paths matching GLOB")
    scan.add_argument("--rules", action="append", default=[], metavar="DIR", help="add the rule packs in DIR")
    scan.add_argument("--follow", action="store_true", help="follow symbolic links")
    scan.add_argument("--threads", type=_count, metavar="N", help="worker threads (default: one per core)")
    scan.add_argument("--max-findings-per-file", type=_count, default=1000, metavar="N",
                      help="most findings listed per file (0: no limit)")
    baseline = scan.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", metavar="PATH", help="baseline of accepted findings")
    baseline.add_argument("--no-baseline", action="store_true", help="report every finding, ignoring the baseline")
    scan.add_argument("--files", action="store_true", help="the arguments are files to scan, never a ROOT")
    report = scan.add_mutually_exclusive_group()
    report.add_argument("--report", metavar="PATH", help="write the JSON report here")
    report.add_argument("--no-report", action="store_true", help="do not write a report file")
    scan.add_argument("--format", choices=["human", "json", "sarif", "github", "junit"], default="human",
                      help="output on stdout")
    return parser


def _error(message: str) -> int:
    sys.stderr.write(f"hygiene: error: {message}\n")
    return EXIT_ERROR


def _redact(args: argparse.Namespace) -> int:
    if args.in_place and not args.files:
        return _error("--in-place needs at least one FILE")
    redactor = Redactor(env_globs=args.env_globs, env_files=args.env_files, rules_dirs=args.rules)
    if redactor.known_values_too_short:
        sys.stderr.write(
            f"hygiene: warning: {redactor.known_values_too_short} known value(s) shorter than "
            f"{MIN_KNOWN_LEN} characters are not searched for\n"
        )
    total = 0
    counts: dict[str, int] = {}
    if args.in_place or (args.check and args.files):
        for path in args.files:
            done, per_rule = _native.rewrite_in_place(redactor, path, args.check)
            total += done
            for rule, n in per_rule.items():
                counts[rule] = counts.get(rule, 0) + n
    else:
        sys.stdout.flush()
        total, counts = _native.redact_stream(redactor, args.files, args.check)
    if args.stats:
        lines = [f"{n:>8}  {rule}\n" for rule, n in sorted(counts.items())]
        lines.append(f"{total:>8}  redacted in total\n")
        sys.stderr.write("".join(lines))
    return EXIT_FAIL if args.check and total > 0 else EXIT_PASS


def _scan(args: argparse.Namespace) -> int:
    rendered, code, warnings = _native.scan(
        args.paths, root=args.root, files=args.files, include_logs=args.include_logs, scopes=args.scopes,
        exclude=args.exclude, rules_dirs=args.rules, follow_links=args.follow, threads=args.threads,
        max_findings_per_file=args.max_findings_per_file, baseline=args.baseline, no_baseline=args.no_baseline,
        report=args.report, no_report=args.no_report, format=args.format,
    )
    if rendered is None:
        sys.stderr.write("hygiene: nothing to scan: no files given\n")
        return EXIT_PASS
    for warning in warnings:
        sys.stderr.write(f"hygiene: warning: {warning}\n")
    try:
        sys.stdout.write(rendered)
        sys.stdout.flush()
    except BrokenPipeError:
        # `... scan | head`: the reader went away, which is not the scan's failure (as the
        # binary: exit 0). Nothing more may be written to the closed pipe at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PASS
    return code


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "redact":
            return _redact(args)
        if args.command == "scan":
            return _scan(args)
        return _error(f"unknown command {args.command}")
    except (ValueError, OSError) as e:  # library errors: their messages hold no secret
        return _error(str(e))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
