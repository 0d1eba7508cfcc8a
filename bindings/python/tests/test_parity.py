"""The Python package and the `hygiene` binary make the same decisions: byte-identical
redaction, the same exit codes from `python -m secrets_hygiene redact`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REPO, github_token, known_value, random_alnum

from secrets_hygiene import Redactor


def demo_text() -> bytes:
    """Every text file of the demo repository, logs included."""
    parts = []
    for path in sorted((REPO / "fixtures" / "demo").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".log", ".json", ".txt", ".toml", ".env", ".yaml", ".yml", ""):
            parts.append(path.read_bytes())
    assert parts, "fixtures/demo has text files"
    return b"\n".join(parts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo files plus generated log lines with tokens and known values in several
    encodings, repeated past the size where both sides cut the input into parallel pieces."""
    env = {"PARITY_BITGET_SECRET": known_value(), "PARITY_API_PASSWORD": random_alnum(18)}
    lines = []
    for i in range(400):
        value = env["PARITY_BITGET_SECRET"] if i % 2 else env["PARITY_API_PASSWORD"]
        lines.append(
            f"2026-11-20T08:{i % 60:02d}:00Z ERROR req={i} token={github_token()} "
            f"url=https://api.example/v1?key={quote(value, safe='')} body={{\"pw\": \"{value}\"}}\n"
        )
        lines.append(f"2026-11-20T08:{i % 60:02d}:01Z INFO heartbeat ok id={random_alnum(8)}\n")
    block = demo_text() + "".join(lines).encode()
    data = block * (3 * (1 << 20) // len(block) + 1)
    path = tmp_path_factory.mktemp("parity") / "corpus.log"
    path.write_bytes(data)
    return path, env


def run_env(env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env}


def test_redact_bytes_matches_hygiene_redact(hygiene_bin: str, corpus: tuple[Path, dict[str, str]]) -> None:
    path, env = corpus
    data = path.read_bytes()
    cli = subprocess.run([hygiene_bin, "redact", "--env", "PARITY_*"], input=data, env=run_env(env),
                         capture_output=True, check=True)
    ours = Redactor(env_globs=["PARITY_*"], env=env).redact_bytes(data)
    assert ours != data
    assert ours == cli.stdout
    for value in env.values():
        assert value.encode() not in ours


def test_python_m_redact_matches_hygiene_redact(hygiene_bin: str, corpus: tuple[Path, dict[str, str]]) -> None:
    path, env = corpus
    args = ["redact", "--env", "PARITY_*", "--stats", str(path)]
    cli = subprocess.run([hygiene_bin, *args], env=run_env(env), capture_output=True, check=True)
    py = subprocess.run([sys.executable, "-m", "secrets_hygiene", *args], env=run_env(env),
                        capture_output=True, check=True)
    assert py.stdout == cli.stdout
    assert py.stderr == cli.stderr  # the same counts per rule
    # stdin
    py_stdin = subprocess.run([sys.executable, "-m", "secrets_hygiene", "redact", "--env", "PARITY_*"],
                              input=path.read_bytes(), env=run_env(env), capture_output=True, check=True)
    assert py_stdin.stdout == cli.stdout


def test_python_m_redact_exit_codes(hygiene_bin: str, tmp_path: Path) -> None:
    dirty, clean = tmp_path / "dirty.log", tmp_path / "clean.log"
    dirty.write_text(f"key={github_token()}\n")
    clean.write_text("nothing here\n")
    utf16 = tmp_path / "wide.log"
    utf16.write_bytes("\ufeffkey=abc\n".encode("utf-16-le"))
    cases = [
        (["redact", "--check", str(dirty)], 1),
        (["redact", "--check", str(clean)], 0),
        (["redact", str(utf16)], 2),
        (["redact", "--in-place"], 2),
        (["redact", str(tmp_path / "missing.log")], 2),
        (["redact", "--env", "BAD[", str(clean)], 2),
    ]
    for args, expected in cases:
        cli = subprocess.run([hygiene_bin, *args], capture_output=True)
        py = subprocess.run([sys.executable, "-m", "secrets_hygiene", *args], capture_output=True)
        assert (cli.returncode, py.returncode) == (expected, expected), args


def test_python_m_redact_in_place(tmp_path: Path) -> None:
    token = github_token()
    log = tmp_path / "svc.log"
    log.write_text(f"a\nkey={token}\n")
    done = subprocess.run([sys.executable, "-m", "secrets_hygiene", "redact", "--in-place", str(log)],
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    assert log.read_text() == f"a\nkey=****{token[-4:]}\n"
