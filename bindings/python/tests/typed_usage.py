"""Checked by `mypy --strict` against the installed package's stub (not run by pytest)."""

from __future__ import annotations

import logging
from pathlib import Path

import secrets_hygiene
from secrets_hygiene import Finding, RedactingFilter, Redaction, Redactor, mask, scan_text

redactor: Redactor = Redactor(
    known_values=["x" * 12], env_globs=("BOT*_BITGET_*",), env={"A": "b"}, env_files=[Path("a.env")],
    rules_dirs=["rules"],
)
text: str = redactor.redact("text")
data: bytes = redactor.redact_bytes(b"data")
spans: list[Redaction] = redactor.find("text") + redactor.find(b"bytes")
first: tuple[int, int] = spans[0].span
rule: str = spans[0].rule_id
counts: int = redactor.rules + redactor.known_values + redactor.known_values_too_short
masked: str = mask("value")
handler = logging.StreamHandler()
handler.addFilter(RedactingFilter(redactor))
findings: list[Finding] = scan_text("payload", path="reports/x.json", fingerprint_key="k")
line: int = findings[0].line + findings[0].column
fingerprint: str = findings[0].fingerprint
minimum: int = secrets_hygiene.MIN_KNOWN_LEN
report: dict[str, object] = secrets_hygiene.scan(Path("."), include_logs=True, scopes=["docs/**"], no_report=True)
