"""scan() and `python -m secrets_hygiene scan`: the same run as `hygiene scan` (the library's
scan request), the report as a dict, the same report file, the same exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, github_token

import secrets_hygiene

DEMO = REPO / "fixtures" / "demo"
KEY = {"HYGIENE_FINGERPRINT_KEY": "python-parity-key"}
REPORT = Path("reports") / "security" / "latest.json"


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs (the time stamp, durations)."""
    out: dict[str, Any] = json.loads(json.dumps(report))
    out.pop("generated_at", None)
    out.get("stats", {}).pop("duration_ms", None)
    return out


def where(report: dict[str, Any]) -> list[tuple[str, str, int, int, str]]:
    return [(f["rule_id"], f["file"], f["line"], f["column"], f["fingerprint"]) for f in report["findings"]]


def hygiene(hygiene_bin: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([hygiene_bin, *map(str, args)], env={**os.environ, **KEY}, capture_output=True)


def python_m(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "secrets_hygiene", *map(str, args)], env={**os.environ, **KEY},
                          capture_output=True)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of fixtures/demo (planted leaks in docs, reports and logs) and a fixed key."""
    for name, value in KEY.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    return root


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "runbook.md").write_text("restart the service, then check the dashboards\n")
    return root


def test_scan_returns_the_report_hygiene_scan_prints(hygiene_bin: str, demo: Path) -> None:
    cli = hygiene(hygiene_bin, "scan", demo, "--include-logs", "--no-report", "--format", "json")
    assert cli.returncode == 1, cli.stderr
    expected = json.loads(cli.stdout)
    report = secrets_hygiene.scan(demo, include_logs=True, no_report=True)
    assert len(report["findings"]) >= 5, "the demo has planted leaks in docs, reports and logs"
    assert where(report) == where(expected)
    assert report["findings"] == expected["findings"]
    assert comparable(report) == comparable(expected)
    assert report["status"] == "fail"
    assert not (demo / REPORT).exists()


def test_scan_writes_the_report_file_hygiene_scan_writes(hygiene_bin: str, demo: Path) -> None:
    report = secrets_hygiene.scan(demo, include_logs=True)
    written = demo / REPORT
    assert json.loads(written.read_text()) == report
    assert sorted(p.name for p in written.parent.iterdir()) == ["latest.json"]  # no temp file left
    assert hygiene(hygiene_bin, "scan", demo, "--include-logs").returncode == 1  # overwrites it
    assert comparable(json.loads(written.read_text())) == comparable(report)


def test_scan_report_path_and_scopes(demo: Path) -> None:
    elsewhere = demo / "out" / "r.json"
    (demo / "out").mkdir()
    report = secrets_hygiene.scan(demo, scopes=["docs/**"], report=elsewhere)
    assert json.loads(elsewhere.read_text()) == report
    assert report["scopes"] == ["docs/**"]
    assert {f["file"].split("/")[0] for f in report["findings"]} == {"docs"}
    assert not (demo / REPORT).exists()


def test_include_logs_adds_the_service_logs(demo: Path) -> None:
    without = secrets_hygiene.scan(demo, no_report=True)
    with_logs = secrets_hygiene.scan(demo, include_logs=True, no_report=True)
    assert "data/*/logs/**" in with_logs["scopes"] and "data/*/logs/**" not in without["scopes"]
    logged = [f for f in with_logs["findings"] if f["file"].startswith("data/")]
    assert logged, "the demo logs leak"
    assert not [f for f in without["findings"] if f["file"].startswith("data/")]
    assert where(without) == [w for w in where(with_logs) if not w[1].startswith("data/")]


def test_baseline_and_max_findings_per_file(demo: Path, hygiene_bin: str) -> None:
    assert hygiene(hygiene_bin, "baseline", "create", demo, "--include-logs").returncode == 0
    accepted = secrets_hygiene.scan(demo, include_logs=True, no_report=True)
    assert accepted["findings"] == [] and accepted["status"] == "pass"
    every = secrets_hygiene.scan(demo, include_logs=True, no_baseline=True, no_report=True)
    assert every["findings"]
    limited = secrets_hygiene.scan(demo, include_logs=True, no_baseline=True, max_findings_per_file=1,
                                   no_report=True)
    files = [f["file"] for f in limited["findings"]]
    assert len(files) == len(set(files)) < len(every["findings"])


def test_clean_tree_passes_and_a_leak_is_masked(clean: Path) -> None:
    report = secrets_hygiene.scan(clean, no_report=True)
    assert report["findings"] == [] and report["status"] == "pass"
    token = github_token()
    (clean / "docs" / "leak.md").write_text(f"token {token}\n")
    report = secrets_hygiene.scan(clean, no_report=True)
    [finding] = report["findings"]
    assert finding["masked"] == "****" + token[-4:]
    assert token not in json.dumps(report)


def test_bad_root_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as err:
        secrets_hygiene.scan(tmp_path / "missing", no_report=True)
    assert "missing" in str(err.value)


def assert_masked(message: str, token: str) -> None:
    """The message quoted the value (the parsers do), masked: nothing of it but the tail."""
    assert token not in message and token[4:-4] not in message
    assert "****" + token[-4:] in message


def test_bad_config_raises_without_the_value(clean: Path) -> None:
    token = github_token()
    for config in [f'scopes = "{token}"\n', f"{token} = 1\n", f'ignore_files = "{token}"\n']:
        # An invalid hygiene.toml whose bad value or key is a token: the parser quotes it.
        (clean / "hygiene.toml").write_text(config)
        with pytest.raises(ValueError) as err:
            secrets_hygiene.scan(clean, no_report=True)
        assert "hygiene.toml" in str(err.value)
        assert_masked(str(err.value), token)


def test_bad_baseline_and_rules_raise_without_the_value(clean: Path) -> None:
    token = github_token()
    baseline = clean / "baseline.json"
    baseline.write_text(f'{{"hygiene_baseline": "{token}", "entries": []}}\n')
    with pytest.raises(ValueError) as err:
        secrets_hygiene.scan(clean, baseline=baseline, no_report=True)
    assert "baseline.json" in str(err.value)
    assert_masked(str(err.value), token)
    rules = clean / "rules"
    rules.mkdir()
    (rules / "bad.toml").write_text(
        '[pack]\nname = "acme"\n\n[[rules]]\nid = "acme.key"\ndescription = "x"\n'
        "regex = '''(?P<secret>acme_[a-z]{8})'''\nkeywords = [\"acme_\"]\n"
        f'severity = "{token}"\n'
    )
    with pytest.raises(ValueError) as err:
        secrets_hygiene.scan(clean, rules_dirs=[rules], no_report=True)
    assert "bad.toml" in str(err.value)
    assert_masked(str(err.value), token)
    with pytest.raises(FileNotFoundError):
        secrets_hygiene.scan(clean, baseline=clean / "none.json", no_report=True)


def test_conflicting_arguments_raise(clean: Path) -> None:
    with pytest.raises(ValueError, match="no_report"):
        secrets_hygiene.scan(clean, report=clean / "r.json", no_report=True)
    with pytest.raises(ValueError, match="no_baseline"):
        secrets_hygiene.scan(clean, baseline=clean / "b.json", no_baseline=True)
    with pytest.raises(TypeError, match="scopes"):
        secrets_hygiene.scan(clean, scopes="docs/**", no_report=True)
    assert not (clean / REPORT).exists()


def test_files_are_scanned_exactly(demo: Path) -> None:
    runbook = demo / "docs" / "runbook-database.md"
    report = secrets_hygiene.scan(demo, paths=[runbook], no_report=True)
    assert report["findings"] and {f["file"] for f in report["findings"]} == {"docs/runbook-database.md"}
    assert secrets_hygiene.scan(demo, files=True, no_report=True) == {}


# What differs between two runs of the same scan: durations and the time stamp.
TIMING = re.compile(rb'"duration_ms": \d+|in \d+\.\d+ s|time="[\d.]+"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')


@pytest.mark.parametrize("fmt", ["json", "human", "sarif", "github", "junit"])
def test_python_m_scan_prints_what_hygiene_scan_prints(hygiene_bin: str, demo: Path, fmt: str) -> None:
    args: list[str | Path] = ["scan", demo, "--include-logs", "--no-report", "--format", fmt]
    cli, py = hygiene(hygiene_bin, *args), python_m(*args)
    assert (cli.returncode, py.returncode) == (1, 1), py.stderr
    assert py.stdout.count(b"****") > 0
    assert TIMING.search(cli.stdout), "the output has a duration or time stamp to ignore"
    assert TIMING.sub(b"T", py.stdout) == TIMING.sub(b"T", cli.stdout)


def test_python_m_scan_exit_codes_match_hygiene_scan(hygiene_bin: str, demo: Path, clean: Path,
                                                     tmp_path: Path) -> None:
    cases: list[tuple[list[str | Path], int]] = [
        (["scan", demo, "--include-logs"], 1),
        (["scan", clean], 0),
        (["scan", "--root", tmp_path / "missing", "--no-report", "a.md"], 2),  # no root: nothing can run
        (["scan", tmp_path / "missing.md", "--no-report"], 1),  # a file given that cannot be read fails
        (["scan", "--files", "--no-report"], 0),
        (["scan", clean, "--report", tmp_path / "r.json", "--no-report"], 2),
        (["scan", clean, "--threads", "-1"], 2),
    ]
    for args, expected in cases:
        cli, py = hygiene(hygiene_bin, *args), python_m(*args)
        assert (cli.returncode, py.returncode) == (expected, expected), (args, py.stderr)
    # Both wrote the same report file (the last run on each tree was python's).
    assert json.loads((clean / REPORT).read_text())["status"] == "pass"
    assert json.loads((demo / REPORT).read_text())["status"] == "fail"


def test_python_m_scan_writes_the_report_hygiene_scan_writes(hygiene_bin: str, demo: Path, tmp_path: Path) -> None:
    assert hygiene(hygiene_bin, "scan", demo, "--include-logs", "--report", tmp_path / "cli.json").returncode == 1
    assert python_m("scan", demo, "--include-logs", "--report", tmp_path / "py.json").returncode == 1
    cli = json.loads((tmp_path / "cli.json").read_text())
    py = json.loads((tmp_path / "py.json").read_text())
    assert comparable(py) == comparable(cli)


def test_python_m_scan_error_holds_no_value(hygiene_bin: str, clean: Path) -> None:
    token = github_token()
    (clean / "hygiene.toml").write_text(f'scopes = "{token}"\n')
    cli, py = hygiene(hygiene_bin, "scan", clean), python_m("scan", clean)
    assert (cli.returncode, py.returncode) == (2, 2)
    assert b"hygiene.toml" in py.stderr
    assert_masked(py.stderr.decode(), token)
    assert token.encode() not in cli.stderr
