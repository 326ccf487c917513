"""`stormproof audit log`: oldest first, in text and in the JSON the issue specifies;
human checkpoints among the generations."""

from __future__ import annotations

import json
from pathlib import Path

from stormproof.ledger.canonical import sha256
from tests.ledger.conftest import audit, checkpoint, record


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


def test_a_checkpoint_shows_as_human_in_text_and_json(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    (repo / "app.py").write_text("edited by hand\n")
    assert checkpoint("app.py", author="Bob <bob@example.com>").exit_code == 0

    text = audit("log")
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert len(lines) == 4
    assert lines[2].endswith(" human checkpoint by Bob <bob@example.com>")
    assert lines[3].strip() == "app.py"

    _, item = json.loads(audit("log", "--format", "json").output)
    assert lines[2].startswith(f"{item['hash'][:12]} {item['time']} ")
    assert item["kind"] == "checkpoint" and item["author"] == "Bob <bob@example.com>"
    assert item["model"] is None and item["prompt"] is None and item["reason"] is None
    assert item["files"] == ["app.py"]
    assert item["blobs"] == [sha256(b"edited by hand\n")]  # the snapshot, to redact
