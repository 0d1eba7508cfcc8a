"""The README's snapshot-service recipe runs and writes a report without any credential."""

from __future__ import annotations

import base64
import json
import os
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
