"""The README's snapshot-service recipe runs and writes a report without any credential."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, random_alnum

EXAMPLE = REPO / "bindings" / "python" / "examples" / "snapshot_service.py"


def test_snapshot_service_scrubs_logs_and_report(tmp_path: Path) -> None:
    secrets_ = {"BOT1_BITGET_SECRET": random_alnum(32), "BOT2_BITGET_SECRET": random_alnum(32),
                "BOT1_BITGET_API_KEY": random_alnum(24)}
    db_password = random_alnum(20)
    env_file = tmp_path / "service.env"
    env_file.write_text(f"DB_PASSWORD={db_password}\n")
    done = subprocess.run([sys.executable, str(EXAMPLE), str(env_file)], cwd=tmp_path,
                          env={**os.environ, **secrets_}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "reports" / "exchange_snapshots" / "latest.json").read_text()
    payload = json.loads(report)
    assert payload["bots"]["BOT1"]["status"] == "error"
    assert "PermissionError: bitget: signature rejected" in payload["bots"]["BOT1"]["error"]
    assert "Traceback" in done.stderr and "snapshot failed for BOT1" in done.stderr
    for value in [*secrets_.values(), db_password]:
        for text in (report, done.stderr):
            assert value not in text
            assert base64.b64encode(value.encode()).decode()[:16] not in text
    assert not [p for p in (tmp_path / "reports" / "exchange_snapshots").iterdir() if p.name != "latest.json"]


def test_the_readme_recipe_runs_as_written(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    start = readme.index("```python\n# snapshot.py\n") + len("```python\n")
    script = readme[start : readme.index("```\n", start)]
    (tmp_path / "snapshot.py").write_text(script)
    secret = random_alnum(32)
    from_file = random_alnum(20)
    (tmp_path / "service.env").write_text(f"DB_PASSWORD={from_file}\n")
    done = subprocess.run([sys.executable, "snapshot.py"], cwd=tmp_path,
                          env={**os.environ, "BOT1_BITGET_SECRET": secret}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "reports" / "exchange_snapshots" / "latest.json").read_text()
    error = json.loads(report)["bots"]["BOT1"]["error"]
    assert error.startswith("PermissionError: signature rejected: secret=****")
    assert "PermissionError: signature rejected: secret=****" in done.stderr
    assert secret not in report and secret not in done.stderr


RELEASE_CHECK = REPO / "bindings" / "python" / "examples" / "run_secrets_hygiene_check.py"


def test_release_check_script_fails_on_leaks_and_passes_a_clean_tree(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    env = {**os.environ, "HYGIENE_FINGERPRINT_KEY": "release-check-key"}
    run = subprocess.run([sys.executable, str(RELEASE_CHECK), "--include-logs"], cwd=demo, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    report = json.loads((demo / "reports" / "security" / "latest.json").read_text())
    assert report["status"] == "fail"
    assert any(f["file"].startswith("data/") for f in report["findings"])  # --include-logs reached the scan
    assert len([line for line in run.stdout.splitlines() if "****" in line]) == len(report["findings"])
    clean = tmp_path / "clean"
    (clean / "docs").mkdir(parents=True)
    (clean / "docs" / "runbook.md").write_text("nothing to see\n")
    run = subprocess.run([sys.executable, str(RELEASE_CHECK)], cwd=clean, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "secrets check: pass" in run.stdout
    run = subprocess.run([sys.executable, str(RELEASE_CHECK), "--root", str(tmp_path / "missing")], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "could not run" in run.stderr


def test_the_readme_release_script_runs_as_written(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    start = readme.index("```python\n# run_secrets_hygiene_check.py\n") + len("```python\n")
    (tmp_path / "check.py").write_text(readme[start : readme.index("```\n", start)])
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    env = {**os.environ, "HYGIENE_FINGERPRINT_KEY": "release-check-key"}
    with_logs = subprocess.run([sys.executable, str(tmp_path / "check.py"), "--include-logs"], cwd=demo, env=env,
                               capture_output=True, text=True)
    assert with_logs.returncode == 1, with_logs.stderr
    report = json.loads((demo / "reports" / "security" / "latest.json").read_text())
    assert len(with_logs.stdout.splitlines()) == len(report["findings"]) > 0
    assert any(line.startswith("data/") for line in with_logs.stdout.splitlines())
    without = subprocess.run([sys.executable, str(tmp_path / "check.py")], cwd=demo, env=env,
                             capture_output=True, text=True)
    assert not any(line.startswith("data/") for line in without.stdout.splitlines())
    (demo / "hygiene.toml").write_text("scopes = 5\n")
    broken = subprocess.run([sys.executable, str(tmp_path / "check.py")], cwd=demo, env=env,
                            capture_output=True, text=True)
    assert broken.returncode == 2 and "could not run" in broken.stderr
