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

import logging
import os
import secrets as _secrets
from typing import List, Optional, Union

from . import _native
from ._native import MIN_KNOWN_LEN, Finding, Redaction, Redactor, mask

__all__ = [
    "MIN_KNOWN_LEN",
    "Finding",
    "Redaction",
    "Redactor",
    "RedactingFilter",
    "mask",
    "scan_text",
]

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
