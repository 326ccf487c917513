"""`stormproof audit log`: oldest first, in text and in the JSON the issue specifies."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ledger.conftest import audit, record


def test_the_json_log_lists_entries_oldest_first(repo: Path) -> None:
    (repo / "app.py").write_text("v1\n")
    assert record("app.py", model="model-a").exit_code == 0
    (repo / "prompt.txt").write_text("\n  Second prompt  \nmore\n")
    (repo / "app.py").write_text("v2\n")
    (repo / "b.py").write_text("b\n")
    assert record("app.py", "b.py", model="model-b").exit_code == 0

    result = audit("log", "--format", "json")

    assert result.exit_code == 0, result.output
    first, second = json.loads(result.output)
    assert [first["model"], second["model"]] == ["model-a", "model-b"]
    assert first["prompt"] == "Add a health endpoint"
    assert second["prompt"] == "Second prompt"
    assert second["files"] == ["app.py", "b.py"]
    assert len(second["blobs"]) == 4  # prompt, response, two snapshots
    assert second["path"] == f".stormproof/ledger/entries/{second['hash']}.json"
    assert (repo / second["path"]).is_file()
    assert {"hash", "path", "time", "model", "prompt", "files", "blobs"} <= set(first)


def test_the_text_log_shows_each_entry_and_its_files(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    result = audit("log")
    assert result.exit_code == 0
    headline, file_line = result.output.splitlines()
    assert "model-1: Add a health endpoint" in headline
    assert file_line.strip() == "app.py"


def test_an_empty_ledger_logs_nothing(repo: Path) -> None:
    result = audit("log", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []
