"""secrets-hygiene for Python services: mask credentials before they are written.

- ``Redactor``: built once (at start-up) from the built-in rules, the values the service knows
  it holds (``known_values``, environment variables matching ``env_globs``, ``env_files``) and
  extra rule packs; ``redact(str)``, ``redact_bytes(bytes)``, ``find(str)``. Immutable,
  thread-safe, releases the GIL while it works; never pickled.
- ``mask(str)``: ``****`` and the last 4 characters, as in every report.
- ``RedactingFilter(redactor)``: a ``logging.Filter`` for *handlers*.
- ``scan_text(text, path=...)``: findings in one payload before it is written.
- ``scan(root, ...)``: the same scan as ``hygiene scan``, the report as a dict.

The decisions are the Rust library's (the ``hygiene`` CLI makes the same ones); this package
only converts arguments and results.
"""

from __future__ import annotations

import json
import logging
import os
import secrets as _secrets
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _native
from ._native import MIN_KNOWN_LEN, Finding, Redaction, Redactor, mask

__all__ = [
    "MIN_KNOWN_LEN",
    "Finding",
    "Redaction",
    "Redactor",
    "RedactingFilter",
    "mask",
    "scan",
    "scan_text",
]

_PathArg = Union[str, "os.PathLike[str]"]
_log = logging.getLogger(__name__)

# The fingerprint key of `scan_text` calls that pass none and find no HYGIENE_FINGERPRINT_KEY:
# random, for this process only.
_PROCESS_KEY = _secrets.token_hex(32)

_WITHHELD = "[secrets_hygiene: log message withheld: it could not be redacted]"


class RedactingFilter(logging.Filter):
    """Masks secrets in every record a handler emits, and never drops a record.

    Put it on the *handlers* (``handler.addFilter(RedactingFilter(redactor))``): a filter on a
    logger sees only records logged through that very logger, not those propagated from its
    children, while a handler's filters see every record the handler writes.

    The formatted message (``msg % args``), the formatted exception (the traceback, whose
    last line carries the exception text) and the stack info are redacted in the record itself:
    ``record.msg`` becomes the redacted message (``args`` emptied), ``record.exc_text`` the
    redacted traceback and ``record.exc_info`` is cleared so that no formatter can format the
    raw exception again. Later handlers see the redacted record too.
    """

    def __init__(self, redactor: Redactor, name: str = "") -> None:
        super().__init__(name)
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging would report it; show nothing unmasked
            message = _WITHHELD
        record.msg = self._redact(message)
        record.args = ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        try:
            return self.redactor.redact(text)
        except Exception:  # never write what could not be masked, never drop the record
            return _WITHHELD


def scan_text(
    text: Union[str, bytes],
    path: str = "<text>",
    *,
    fingerprint_key: Optional[str] = None,
    rules_dirs: "tuple[Union[str, os.PathLike[str]], ...] | list[Union[str, os.PathLike[str]]]" = (),
) -> List[Finding]:
    """Findings in ``text`` as ``hygiene scan`` would report them for a file named ``path``.

    Fingerprints are keyed with ``fingerprint_key``, else ``HYGIENE_FINGERPRINT_KEY`` from the
    environment, else a random key kept for the life of this process (fingerprints then
    compare only within the process). Raises ``ValueError`` for bytes that are not text.
    """
    key = fingerprint_key or os.environ.get("HYGIENE_FINGERPRINT_KEY") or _PROCESS_KEY
    return _native.scan_text(text, path, fingerprint_key=key, rules_dirs=list(rules_dirs))


def _many(value: Optional[Iterable[Any]], name: str) -> List[Any]:
    """The items of an iterable argument; a lone ``str`` or path is refused (it would be read
    character by character, or is a mistake for a one-item list)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{name} takes an iterable of items, not a single str or path")
    return list(value)


def scan(
    root: _PathArg = ".",
    *,
    paths: Iterable[_PathArg] = (),
    files: bool = False,
    include_logs: bool = False,
    scopes: Optional[Iterable[str]] = None,
    exclude: Iterable[str] = (),
    rules_dirs: Iterable[_PathArg] = (),
    follow_links: bool = False,
    threads: Optional[int] = None,
    max_findings_per_file: int = 1000,
    baseline: Optional[_PathArg] = None,
    no_baseline: bool = False,
    report: Optional[_PathArg] = None,
    no_report: bool = False,
) -> Dict[str, Any]:
    """Runs ``hygiene scan ROOT`` and returns its JSON report as a dict.

    The same run as the binary's (the library's scan request, with the process's
    ``HYGIENE_FINGERPRINT_KEY``, fingerprint-key store, cores and clock): the scopes
    (``scopes``, else ``hygiene.toml``'s, else the defaults; ``include_logs`` adds
    ``data/*/logs/**``), the report path (``report``, else ``hygiene.toml``'s, else
    ``ROOT/reports/security/latest.json``), the baseline (``baseline``, else
    ``ROOT/.hygiene-baseline.json`` when it exists; ``no_baseline`` ignores it), suppression,
    forbidden files; the report is written atomically unless ``no_report``. The keyword
    arguments are the flags of ``hygiene scan`` of the same names (``--follow`` is
    ``follow_links``, ``--rules`` is ``rules_dirs``, ``--scope`` is ``scopes``). ``paths`` are
    files to scan exactly (``ROOT`` then only anchors report paths and ``hygiene.toml``);
    ``files=True`` with no ``paths`` scans nothing and returns ``{}``. ``hygiene.toml`` is
    always ``ROOT/hygiene.toml`` and the clock is the system's (the binary has no flag for
    either); ``--staged`` is not offered.

    The result passed when ``report["status"] == "pass"`` (``hygiene scan`` exits 0), failed
    (findings or unreadable files: exit 1) otherwise. Warnings (e.g. a fingerprint key that
    could not be stored) go to the ``secrets_hygiene`` logger. The GIL is released while the
    scan runs. Raises ``FileNotFoundError``/``OSError`` for a missing root, baseline or an
    unwritable report, ``ValueError`` for bad configuration, globs, rule packs or baselines and
    for conflicting arguments; no message holds a secret value.
    """
    rendered, _, warnings = _native.scan(
        [os.fspath(p) for p in _many(paths, "paths")],
        root=os.fspath(root),
        files=files,
        include_logs=include_logs,
        scopes=_many(scopes, "scopes"),
        exclude=_many(exclude, "exclude"),
        rules_dirs=[os.fspath(p) for p in _many(rules_dirs, "rules_dirs")],
        follow_links=follow_links,
        threads=threads,
        max_findings_per_file=max_findings_per_file,
        baseline=None if baseline is None else os.fspath(baseline),
        no_baseline=no_baseline,
        report=None if report is None else os.fspath(report),
        no_report=no_report,
        format="json",
    )
    for warning in warnings:
        _log.warning("%s", warning)
    if rendered is None:  # files=True and no paths: nothing to scan
        return {}
    result: Dict[str, Any] = json.loads(rendered)
    return result
