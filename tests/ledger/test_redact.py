"""`stormproof audit redact`: the content goes, the hash and the chain stay, and the ledger
says who removed what and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.ledger import open_ledger
from stormproof.ledger.canonical import sha256
from stormproof.ledger.store import heads
from tests.ledger.conftest import audit, record

BLOBS = Path(".stormproof") / "ledger" / "blobs"
PROMPT = b"Add a health endpoint\nwith details\n"  # the repo fixture's prompt.txt


def redactions() -> list[dict]:
    entries = open_ledger().entries().values()
    return [entry.to_json() for entry in entries if entry.kind == "redaction"]


def test_a_redacted_prompt_leaves_an_intact_ledger_and_the_log_says_so(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    before = heads(open_ledger().entries())
    prompt = sha256(PROMPT)

    result = audit("redact", prompt[:8], "--reason", "customer data in the prompt")

    assert result.exit_code == 0, result.output
    assert f"redacted {prompt[:12]} (the prompt of {before[0][:12]})" in result.output
    assert not (BLOBS / prompt).exists()
    (redaction,) = redactions()
    assert redaction["blob"] == prompt and redaction["reason"] == "customer data in the prompt"
    assert redaction["parents"] == before
    assert redaction["author"] == "Ada <ada@example.com>"
    assert redaction["tool"].startswith("stormproof ")
    verified = audit("verify")
    assert verified.exit_code == 0, verified.output
    assert "(1 redacted)" in verified.output
    log = audit("log").output
    assert "model-1: (redacted)" in log
    assert f"redacted {prompt[:12]}: customer data in the prompt" in log
    first = json.loads(audit("log", "--format", "json").output)[0]
    assert first["prompt"] is None


def test_content_put_back_under_a_redacted_name_fails_verify(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    prompt = sha256(PROMPT)
    assert audit("redact", prompt, "--reason", "secret").exit_code == 0
    (BLOBS / prompt).write_bytes(b"something else entirely")
    result = audit("verify")
    assert result.exit_code == 1
    assert f"blob {prompt} was changed" in result.output


def test_a_blob_two_entries_share_is_redacted_for_both(repo: Path) -> None:
    for text in ("one\n", "two\n"):
        (repo / "app.py").write_text(text)
        assert record("app.py").exit_code == 0
    first, second = (item["hash"] for item in json.loads(audit("log", "--format", "json").output))
    result = audit("redact", sha256(PROMPT)[:10], "--reason", "secret")
    assert result.exit_code == 0
    assert f"the prompt of {first[:12]}, the prompt of {second[:12]}" in result.output
    assert audit("log").output.count("(redacted)") == 2
    assert audit("verify").exit_code == 0


def test_a_file_snapshot_can_be_redacted(repo: Path) -> None:
    (repo / "app.py").write_text("secret = 'hunter2'\n")
    assert record("app.py").exit_code == 0
    snapshot = sha256(b"secret = 'hunter2'\n")
    (entry,) = open_ledger().entries()
    result = audit("redact", snapshot[:8], "--reason", "a password")
    assert result.exit_code == 0
    assert f"the snapshot of app.py in {entry[:12]}" in result.output
    assert audit("verify").exit_code == 0


def test_a_signed_redaction_verifies_against_the_key(repo: Path, tmp_path: Path) -> None:
    pytest.importorskip("cryptography", reason="signing needs the cryptography package")
    key = str(tmp_path / "ours.key")
    assert audit("keygen", key).exit_code == 0
    assert audit("record", "--prompt", "prompt.txt", "--response", "response.md", "--model",
                 "m", "--sign", key, "--", "app.py").exit_code == 0  # fmt: skip
    prompt, response = sha256(PROMPT), sha256(b"Here is the code.\n")

    assert audit("redact", prompt[:8], "--reason", "r", "--sign", key).exit_code == 0
    assert audit("verify", "--key", f"{key}.pub").exit_code == 0

    assert audit("redact", response[:8], "--reason", "r").exit_code == 0
    (unsigned,) = (d for d, e in open_ledger().entries().items() if e.blob == response)
    result = audit("verify", "--key", f"{key}.pub")
    assert result.exit_code == 1
    assert f"{unsigned}.json: it is not signed" in result.output


def test_redacting_again_records_nothing_and_clears_leftover_content(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    prompt = sha256(PROMPT)
    assert audit("redact", prompt[:8], "--reason", "first").exit_code == 0
    (earlier,) = (d for d, e in open_ledger().entries().items() if e.kind == "redaction")

    again = audit("redact", prompt[:8], "--reason", "second")
    assert again.exit_code == 0
    assert again.output.strip() == f"{prompt[:12]} was already redacted by {earlier[:12]}"
    assert [r["reason"] for r in redactions()] == ["first"]

    # A crash after the redaction entry was written, before the content was deleted.
    (BLOBS / prompt).write_bytes(PROMPT)
    cleared = audit("redact", prompt[:8], "--reason", "third")
    assert cleared.exit_code == 0 and "removed its leftover content" in cleared.output
    assert not (BLOBS / prompt).exists()
    assert len(redactions()) == 1


def test_a_blob_already_lost_is_redacted_and_said_to_be_gone(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    prompt = sha256(PROMPT)
    (BLOBS / prompt).unlink()
    assert audit("verify").exit_code == 1
    result = audit("redact", prompt[:8], "--reason", "lost in a disk crash")
    assert result.exit_code == 0 and "its content was already gone" in result.output
    assert audit("verify").exit_code == 0


@pytest.mark.parametrize(
    ("blob", "reason", "message"),
    [
        ("1234567", "r", "1234567: not a blob hash (give the SHA-256 or at least 8"),
        ("nothex00", "r", "nothex00: not a blob hash"),
        ("0" * 65, "r", "not a blob hash"),
        ("00000000", "r", "00000000: no blob of the ledger has this hash"),
        ("PROMPT", "  ", "--reason: say why the content is removed"),
        ("PROMPT", "one\ntwo", "--reason: one line, please"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo: Path, blob: str, reason: str, message: str) -> None:
    assert record("app.py").exit_code == 0
    blob = sha256(PROMPT) if blob == "PROMPT" else blob
    result = audit("redact", blob, "--reason", reason)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("stormproof audit redact: ") and message in line
    assert redactions() == []
    assert (BLOBS / sha256(PROMPT)).exists()


def test_a_prefix_two_blobs_share_is_ambiguous(repo: Path) -> None:
    first, second = _two_texts_whose_hashes_share_8_digits()
    Path("prompt.txt").write_bytes(first)
    Path("response.md").write_bytes(second)
    assert record("app.py").exit_code == 0
    prefix = sha256(first)[:8]

    result = audit("redact", prefix, "--reason", "r")

    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert f"{prefix}: 2 blobs start with it" in result.output
    assert "give more digits" in result.output
    assert audit("redact", sha256(first)[:16], "--reason", "r").exit_code == 0
    assert [r["blob"] for r in redactions()] == [sha256(first)]


def test_redacting_outside_a_repository_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = audit("redact", "0" * 64, "--reason", "r")
    assert result.exit_code == 2 and "not inside a git repository" in result.output


def _two_texts_whose_hashes_share_8_digits() -> tuple[bytes, bytes]:
    """A birthday search: about 80,000 hashes of 32 bits before two collide."""
    seen: dict[str, bytes] = {}
    n = 0
    while True:
        text = f"prompt {n}\n".encode()
        prefix = sha256(text)[:8]
        if prefix in seen:
            return seen[prefix], text
        seen[prefix] = text
        n += 1
