"""scan_text: the findings of `hygiene scan` for one payload."""

from __future__ import annotations

import gzip

import pytest
from conftest import github_token

from secrets_hygiene import mask, scan_text


def test_findings_have_rule_position_mask_and_fingerprint() -> None:
    token = github_token()
    text = f'{{"status": "ok"}}\n  "key": "{token}"\n'
    [finding] = scan_text(text, path="reports/exchange_snapshots/latest.json", fingerprint_key="k1")
    assert finding.rule_id == "github.pat-classic"
    assert finding.path == "reports/exchange_snapshots/latest.json"
    assert (finding.line, finding.column, finding.end_line) == (2, 11, 2)
    assert finding.masked == mask(token)
    assert len(finding.fingerprint) == 32
    assert finding.severity in ("critical", "high", "medium", "low")
    assert token not in repr(finding)
    # keyed: same key, same fingerprint; another key, another one
    [again] = scan_text(text, fingerprint_key="k1")
    [other] = scan_text(text, fingerprint_key="k2")
    assert again.fingerprint == finding.fingerprint != other.fingerprint
    # no key given: stable within the process
    [a] = scan_text(text)
    [b] = scan_text(text)
    assert a.fingerprint == b.fingerprint


def test_inline_allow_markers_are_honoured_and_clean_text_has_no_findings() -> None:
    token = github_token()
    assert scan_text(f"example: {token}  # hygiene:allow\n", fingerprint_key="k") == []
    assert scan_text("nothing to see\n", fingerprint_key="k") == []


def test_bytes_are_decoded_like_files() -> None:
    token = github_token()
    [finding] = scan_text(gzip.compress(f"a\nb {token}\n".encode()), path="x.log.gz", fingerprint_key="k")
    assert finding.line == 2
    [utf16] = scan_text(f"\ufeffkey {token}\n".encode("utf-16-le"), fingerprint_key="k")
    assert utf16.rule_id == "github.pat-classic"


def test_what_cannot_be_scanned_is_an_error() -> None:
    with pytest.raises(ValueError):
        scan_text(bytes(range(256)) * 64, path="blob.bin", fingerprint_key="k")
