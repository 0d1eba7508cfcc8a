"""Shared helpers. Secret-shaped values are built at run time from random parts: no token
literal is ever stored in this repository."""

from __future__ import annotations

import os
import secrets
import zlib
import string
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ALNUM = string.ascii_letters + string.digits


def random_alnum(n: int) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def github_token() -> str:
    """A classic GitHub PAT (prefix + 30 random alphanumerics + their CRC32 as 6 base62
    characters, the checksum the detector verifies), random every run."""
    body = random_alnum(30)
    crc = zlib.crc32(body.encode())
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    tail = ""
    for _ in range(6):
        crc, rest = divmod(crc, 62)
        tail = digits[rest] + tail
    return "gh" + "p_" + body + tail


def known_value() -> str:
    """A service credential no rule would recognise, with characters every encoder treats
    differently (`/`, `+`, space, `:`, `"`, non-ASCII)."""
    return f"{secrets.token_hex(5)}/{random_alnum(6)}+é {random_alnum(4)}:\"{random_alnum(5)}"


@pytest.fixture(scope="session")
def hygiene_bin() -> str:
    """The `hygiene` binary to compare with (set by `.ci/run`)."""
    path = os.environ.get("HYGIENE_BIN")
    if not path or not Path(path).is_file():
        pytest.fail("set HYGIENE_BIN to the `hygiene` binary (e.g. target/release/hygiene)")
    return path
