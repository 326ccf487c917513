"""Signed entries: keygen, record --sign, verify --key; a bad, foreign or missing signature
fails, and a missing cryptography package is a one-line error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stormproof.ledger import open_ledger
from stormproof.ledger.order import in_order
from tests.ledger.conftest import audit

pytest.importorskip("cryptography", reason="signing needs the cryptography package")


def signed_record(key: str) -> None:
    result = audit("record", "--prompt", "prompt.txt", "--response", "response.md",
                   "--model", "m", "--sign", key, "--", "app.py")  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.fixture
def keys(repo: Path, tmp_path: Path) -> tuple[str, str]:
    """Two key pairs outside the repository: ours and a stranger's (private paths)."""
    ours, theirs = str(tmp_path / "ours.key"), str(tmp_path / "theirs.key")
    for key in (ours, theirs):
        result = audit("keygen", key)
        assert result.exit_code == 0, result.output
    assert (Path(ours).stat().st_mode & 0o777) == 0o600
    return ours, theirs


def test_signed_entries_verify_against_their_key(repo: Path, keys: tuple[str, str]) -> None:
    ours, _ = keys
    signed_record(ours)
    (repo / "app.py").write_text("changed\n")
    signed_record(ours)
    result = audit("verify", "--key", f"{ours}.pub")
    assert result.exit_code == 0, result.output


def test_an_unsigned_entry_fails_when_keys_are_required(repo: Path, keys: tuple[str, str]) -> None:
    ours, _ = keys
    signed_record(ours)
    (repo / "app.py").write_text("changed\n")
    assert audit("record", "--prompt", "prompt.txt", "--response", "response.md", "--model",
                 "m", "--", "app.py").exit_code == 0  # fmt: skip
    assert audit("verify").exit_code == 0  # signatures are optional without --key
    result = audit("verify", "--key", f"{ours}.pub")
    assert result.exit_code == 1 and "it is not signed" in result.output


def test_a_stranger_s_or_a_forged_signature_fails(repo: Path, keys: tuple[str, str]) -> None:
    ours, theirs = keys
    signed_record(theirs)
    result = audit("verify", "--key", f"{ours}.pub")
    assert result.exit_code == 1 and "untrusted key" in result.output
    (digest,) = in_order(open_ledger().entries())
    signature = repo / ".stormproof" / "ledger" / "entries" / f"{digest}.sig"
    data = signature.read_bytes()
    signature.write_bytes(data.replace(data[-10:-6], b"AAAA"))
    result = audit("verify")
    assert result.exit_code == 1 and "its signature does not verify" in result.output


def test_bad_keys_are_one_line_errors(repo: Path, tmp_path: Path, keys: tuple[str, str]) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    result = audit("record", "--prompt", "prompt.txt", "--response", "response.md",
                   "--model", "m", "--sign", str(bad), "--", "app.py")  # fmt: skip
    assert result.exit_code == 2 and "not a base64 ed25519 private key" in result.output
    again = audit("keygen", keys[0])
    assert again.exit_code == 2 and "exists" in again.output


def test_without_cryptography_signing_names_the_extra(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
    result = audit("keygen", str(tmp_path / "k"))
    assert result.exit_code == 2
    assert "pip install 'stormproof[sign]'" in result.output


def test_a_checkpoint_is_signed_and_verified_as_a_generation_is(
    repo: Path, keys: tuple[str, str]
) -> None:
    ours, _ = keys
    signed_record(ours)
    (repo / "app.py").write_text("by hand\n")
    result = audit("checkpoint", "--sign", ours, "--", "app.py")
    assert result.exit_code == 0, result.output
    (_, hand) = in_order(open_ledger().entries())
    assert (repo / ".stormproof" / "ledger" / "entries" / f"{hand}.sig").is_file()
    verified = audit("verify", "--key", f"{ours}.pub")
    assert verified.exit_code == 0, verified.output

    (repo / "app.py").write_text("by hand, unsigned\n")
    assert audit("checkpoint", "--", "app.py").exit_code == 0
    (*_, unsigned) = in_order(open_ledger().entries())
    result = audit("verify", "--key", f"{ours}.pub")
    assert result.exit_code == 1
    assert f"entries/{unsigned}.json: it is not signed" in result.output
