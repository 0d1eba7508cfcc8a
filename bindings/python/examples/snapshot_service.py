"""The exchange-snapshot service recipe: one Redactor at start-up, RedactingFilter on the
handlers, exception text scrubbed before a JSON report payload is written atomically.

Run from the directory that holds `reports/` (the service's working directory):

    BOT1_BITGET_API_KEY=... BOT1_BITGET_SECRET=... python snapshot_service.py [path/to/service.env]

It writes reports/exchange_snapshots/latest.json and logs to stderr; neither ever holds a
credential value, in any encoding.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from secrets_hygiene import RedactingFilter, Redactor, scan_text

REPORT = Path("reports/exchange_snapshots/latest.json")


def build_redactor(env_file: str | None) -> Redactor:
    """Once, at start-up: the built-in rules plus every value the service holds."""
    return Redactor(
        env_globs=["BOT*_BITGET_*", "*_SECRET*"],  # read from os.environ
        env_files=[env_file] if env_file else [],  # every value of the service's env file
    )


def install_logging(redactor: Redactor) -> logging.Logger:
    """On the handlers: a filter on a logger would miss records propagated from its children."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logging.getLogger("snapshot")


def write_atomically(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, rename: readers see the old or the new report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def fetch_snapshot(bot: str) -> dict[str, Any]:
    """Stands in for the exchange call; an auth failure's message carries the secret."""
    secret = os.environ.get(f"{bot}_BITGET_SECRET", "")
    raise PermissionError(f"bitget: signature rejected (bot={bot}, secret={secret}, code=40037)")


def run(env_file: str | None = None) -> dict[str, Any]:
    redactor = build_redactor(env_file)
    log = install_logging(redactor)
    payload: dict[str, Any] = {"bots": {}}
    for bot in ("BOT1", "BOT2"):
        try:
            payload["bots"][bot] = fetch_snapshot(bot)
        except Exception as e:
            log.exception("snapshot failed for %s", bot)  # scrubbed by the handler's filter
            payload["bots"][bot] = {"status": "error", "error": redactor.redact(f"{type(e).__name__}: {e}")}
    text = redactor.redact(json.dumps(payload, indent=2)) + "\n"  # belt and braces: the whole payload
    leftover = scan_text(text, path=str(REPORT))  # what the release gate would flag
    if leftover:
        raise RuntimeError(f"report still holds {len(leftover)} secret(s): {[f.rule_id for f in leftover]}")
    write_atomically(REPORT, text)
    return payload


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else None)
