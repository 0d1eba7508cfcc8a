"""Types of the Rust extension module ``secrets_hygiene._native``."""

import os
from collections.abc import Iterable, Mapping
from typing import NoReturn, Union, final

_Path = Union[str, "os.PathLike[str]"]

__all__ = ["MIN_KNOWN_LEN", "Finding", "Redaction", "Redactor", "mask", "redact_stream", "rewrite_in_place", "scan", "scan_text"]

MIN_KNOWN_LEN: int

def mask(value: str) -> str: ...
@final
class Redaction:
    """A span a Redactor masks: the rule (``known-value`` for a given value) and where."""

    @property
    def rule_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def span(self) -> tuple[int, int]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Redactor:
    def __new__(
        cls,
        *,
        known_values: Iterable[str] | None = None,
        env_globs: Iterable[str] | None = None,
        env: Mapping[str, str] | None = None,
        env_files: Iterable[_Path] | None = None,
        rules_dirs: Iterable[_Path] | None = None,
    ) -> Redactor: ...
    def redact(self, text: str) -> str: ...
    def redact_bytes(self, data: bytes) -> bytes: ...
    def find(self, text: str | bytes) -> list[Redaction]: ...
    @property
    def rules(self) -> int: ...
    @property
    def known_values(self) -> int: ...
    @property
    def known_values_too_short(self) -> int: ...
    def __reduce__(self) -> NoReturn: ...
    def __reduce_ex__(self, protocol: object) -> NoReturn: ...

@final
class Finding:
    """A secret ``scan_text`` found; never its value."""

    @property
    def rule_id(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def masked(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...

def scan_text(
    text: str | bytes,
    path: str = "<text>",
    *,
    fingerprint_key: str,
    rules_dirs: Iterable[_Path] | None = None,
) -> list[Finding]: ...
def redact_stream(redactor: Redactor, files: list[_Path], check: bool) -> tuple[int, dict[str, int]]: ...
def rewrite_in_place(redactor: Redactor, path: _Path, check: bool) -> tuple[int, dict[str, int]]: ...
def scan(
    paths: list[_Path],
    *,
    root: _Path | None,
    files: bool,
    include_logs: bool,
    scopes: list[str],
    exclude: list[str],
    rules_dirs: list[_Path],
    follow_links: bool,
    threads: int | None,
    max_findings_per_file: int,
    baseline: _Path | None,
    no_baseline: bool,
    report: _Path | None,
    no_report: bool,
    format: str,
) -> tuple[str | None, int, list[str]]: ...
