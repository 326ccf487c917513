"""`stormproof audit verify`: intact ledgers pass; every way of tampering fails with exit 1
naming the first bad entry and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.ledger import Entry, open_ledger, verify_ledger
from stormproof.ledger.canonical import sha256
from stormproof.ledger.order import in_order
from tests.ledger.conftest import audit, record

LEDGER = Path(".stormproof") / "ledger"


@pytest.fixture
def chain(repo: Path) -> list[str]:
    """Three entries, one after the other; their hashes, oldest first."""
    for text in ("one\n", "one\ntwo\n", "one\ntwo\nthree\n"):
        (repo / "app.py").write_text(text)
        assert record("app.py").exit_code == 0
    return in_order(open_ledger().entries())


def entry_file(digest: str) -> Path:
    return LEDGER / "entries" / f"{digest}.json"


def test_an_intact_ledger_verifies(chain: list[str]) -> None:
    result = audit("verify")
    assert result.exit_code == 0, result.output
    assert "ledger intact: 3 entries" in result.output
    assert chain[-1][:12] in result.output


def test_an_empty_ledger_is_intact(repo: Path) -> None:
    result = audit("verify")
    assert result.exit_code == 0 and "0 entries" in result.output


def test_a_changed_entry_fails_naming_it(chain: list[str]) -> None:
    path = entry_file(chain[1])
    path.write_bytes(path.read_bytes().replace(b"model-1", b"model-2"))
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{path.as_posix()}: its content does not hash to its name" in result.output


def test_a_missing_entry_fails_naming_its_child(chain: list[str]) -> None:
    entry_file(chain[1]).unlink()
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{entry_file(chain[2]).as_posix()}: parent {chain[1]} is missing" in result.output


@pytest.mark.parametrize("damage", ["remove", "change"])
def test_a_missing_or_changed_blob_fails(chain: list[str], damage: str) -> None:
    entry = json.loads(entry_file(chain[0]).read_bytes())
    blob = LEDGER / "blobs" / entry["prompt"]
    if damage == "remove":
        blob.unlink()
    else:
        blob.write_bytes(b"a different prompt")
    result = audit("verify")
    assert result.exit_code == 1
    assert entry_file(chain[0]).as_posix() in result.output.splitlines()[0]
    assert entry["prompt"] in result.output


def test_an_entry_not_in_canonical_form_fails_even_under_its_own_hash(chain: list[str]) -> None:
    pretty = json.dumps(json.loads(entry_file(chain[2]).read_bytes()), indent=2).encode()
    forged = LEDGER / "entries" / f"{sha256(pretty)}.json"
    forged.write_bytes(pretty)
    result = audit("verify")
    assert result.exit_code == 1
    assert "not in canonical form" in result.output


def test_a_snapshot_that_is_not_the_recorded_file_fails(chain: list[str]) -> None:
    body = json.loads(entry_file(chain[2]).read_bytes())
    body["files"][0]["content"] = body["prompt"]  # a real blob, but not the file
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    (LEDGER / "entries" / f"{sha256(data)}.json").write_bytes(data)
    result = verify_ledger(open_ledger())
    assert not result.intact
    assert any("snapshot is not the file it records" in p.message for p in result.problems)


def test_a_corrupt_entry_fails_and_log_refuses_it(chain: list[str]) -> None:
    garbage = b"{not json"
    (LEDGER / "entries" / f"{sha256(garbage)}.json").write_bytes(garbage)
    result = audit("verify")
    assert result.exit_code == 1 and "not JSON" in result.output
    log = audit("log")
    assert log.exit_code == 2 and "not JSON" in log.output


@pytest.fixture
def hand(repo: Path) -> str:
    """A generation, then a human checkpoint of a hand edit; the checkpoint's hash."""
    (repo / "app.py").write_text("one\n")
    assert record("app.py").exit_code == 0
    (repo / "app.py").write_text("one\nby hand\n")
    assert audit("checkpoint", "--author", "Bob", "--", "app.py").exit_code == 0
    return in_order(open_ledger().entries())[-1]


def rewrite(body: dict) -> Path:
    """``body`` written in canonical form under its own hash: a forgery that hashes right."""
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    path = LEDGER / "entries" / f"{sha256(data)}.json"
    path.write_bytes(data)
    return path


def test_a_ledger_with_a_checkpoint_verifies(hand: str) -> None:
    result = audit("verify")
    assert result.exit_code == 0, result.output
    assert "ledger intact: 2 entries, 4 blobs" in result.output  # prompt, response, 2 snapshots
    assert open_ledger().entries()[hand].kind == "checkpoint"


def test_a_changed_checkpoint_fails_naming_it(hand: str) -> None:
    path = entry_file(hand)
    path.write_bytes(path.read_bytes().replace(b'"author":"Bob"', b'"author":"Eve"'))
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{path.as_posix()}: its content does not hash to its name" in result.output


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("files", "field 'files' is missing or malformed"),
        ("author", "field 'author' is missing or malformed"),
        ("time", "field 'time' is missing or malformed"),
        ("tool", "field 'tool' is missing or malformed"),
        ("parents", "field 'parents' is missing or malformed"),
    ],
)
def test_a_checkpoint_without_a_required_field_fails(hand: str, field: str, message: str) -> None:
    body = json.loads(entry_file(hand).read_bytes())
    del body[field]
    forged = rewrite(body)
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{forged.as_posix()}: {message}" in result.output


def test_a_checkpoint_s_malformed_file_record_fails(hand: str) -> None:
    body = json.loads(entry_file(hand).read_bytes())
    body["files"][0]["lines"] = [[2, 1]]
    forged = rewrite(body)
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{forged.as_posix()}: file 'app.py' has malformed line ranges" in result.output


def test_a_checkpoint_s_changed_snapshot_fails(hand: str) -> None:
    (file,) = json.loads(entry_file(hand).read_bytes())["files"]
    (LEDGER / "blobs" / file["content"]).write_bytes(b"one\nby someone else\n")
    result = audit("verify")
    assert result.exit_code == 1
    assert f"{entry_file(hand).as_posix()}: blob {file['content']} was changed" in result.output


def test_a_checkpoint_not_in_canonical_form_fails(hand: str) -> None:
    pretty = json.dumps(json.loads(entry_file(hand).read_bytes()), indent=1).encode()
    (LEDGER / "entries" / f"{sha256(pretty)}.json").write_bytes(pretty)
    result = audit("verify")
    assert result.exit_code == 1 and "not in canonical form" in result.output


def test_a_checkpoint_keeps_the_keys_a_newer_tool_adds(hand: str) -> None:
    body = json.loads(entry_file(hand).read_bytes())
    body["reviewed_by"] = "Carol"
    forged = rewrite(body)
    data = forged.read_bytes()
    entry = Entry.decode(data, str(forged))
    assert entry.kind == "checkpoint" and entry.extra == {"reviewed_by": "Carol"}
    assert entry.encode() == data
    assert audit("verify").exit_code == 0
