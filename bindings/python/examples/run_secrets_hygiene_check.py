"""A release script's secrets check through the Python package instead of the `hygiene` binary.

Copy it to `scripts/release/run_secrets_hygiene_check.py`; the release runbook calls
`python scripts/release/run_secrets_hygiene_check.py --include-logs`. It runs the same scan as
`hygiene scan . --include-logs` (same scopes, baseline, suppression, the report written
atomically to reports/security/latest.json), prints one masked line per finding and exits as
`hygiene scan` does: 0 pass, 1 findings or unreadable files, 2 the scan could not run.
"""

from __future__ import annotations

import argparse
import sys

import secrets_hygiene


def main() -> int:
    parser = argparse.ArgumentParser(description="secrets check before a release")
    parser.add_argument("--root", default=".", help="the repository (default: .)")
    parser.add_argument("--include-logs", action="store_true", help="also scan data/*/logs/**")
    args = parser.parse_args()
    try:
        report = secrets_hygiene.scan(args.root, include_logs=args.include_logs)
    except (OSError, ValueError) as e:  # their messages hold no secret value
        print(f"secrets check could not run: {e}", file=sys.stderr)
        return 2
    for finding in report["findings"]:  # `masked` is ****ABCD: never the value
        print(f"{finding['file']}:{finding['line']}  {finding['rule_id']}  {finding['masked']}")
    for error in report["errors"]:
        print(f"{error['path']}: not scanned: {error['message']}")
    print(f"secrets check: {report['status']} ({len(report['findings'])} finding(s), "
          f"{len(report['errors'])} unreadable file(s))")
    return 0 if report["status"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
