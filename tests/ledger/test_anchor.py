"""`stormproof audit anchor`: the heads recorded in a git ref, so that `verify` catches an
entry removed or a ledger rolled back, which the hash chain alone cannot."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from stormproof.ledger import open_ledger, verify_ledger
from stormproof.ledger.store import heads
from tests.ledger.conftest import audit, git, record

REF = "refs/stormproof/ledger"
ENTRIES = Path(".stormproof") / "ledger" / "entries"


def record_version(repo: Path, text: str) -> str:
    """Record ``app.py`` with ``text``; the new head."""
    (repo / "app.py").write_text(text)
    assert record("app.py").exit_code == 0
    (head,) = heads(open_ledger().entries())
    return head


def anchored(repo: Path, ledger: str = ".stormproof/ledger") -> list[str]:
    return git(repo, "cat-file", "blob", f"{REF}:{ledger}/heads").split()


def test_anchoring_records_the_heads_in_a_commit_of_the_ref(repo: Path) -> None:
    head = record_version(repo, "one\n")

    result = audit("anchor")

    assert result.exit_code == 0, result.output
    commit = git(repo, "rev-parse", REF).strip()
    assert result.output.strip() == (
        f"anchored 1 head of .stormproof/ledger in {REF} (commit {commit[:12]}): {head[:12]}"
    )
    assert anchored(repo) == [head]
    message = git(repo, "log", "-1", "--format=%B", REF)
    assert f"Head: {head}" in message and "Ledger: .stormproof/ledger" in message
    assert "Anchored-by: Ada <ada@example.com>" in message
    assert audit("verify").exit_code == 0
    # The anchor lives in git's objects only: nothing is staged in the repository's index.
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_verify_says_whether_an_anchor_was_checked(repo: Path) -> None:
    record_version(repo, "one\n")
    before = audit("verify")
    assert before.exit_code == 0, before.output
    assert before.output.splitlines()[1].startswith("not anchored: `stormproof audit anchor`")
    assert audit("anchor").exit_code == 0
    record_version(repo, "one\ntwo\n")  # newer than the anchor: still intact

    after = audit("verify")

    assert after.exit_code == 0, after.output
    commit = git(repo, "rev-parse", REF).strip()
    assert after.output.splitlines()[1] == (
        f"anchor {commit[:12]} ({REF}): every head it names is present"
    )
    assert verify_ledger(open_ledger()).anchor == commit


def test_deleting_the_newest_entry_after_an_anchor_fails_verify(repo: Path) -> None:
    record_version(repo, "one\n")
    newest = record_version(repo, "one\ntwo\n")
    assert audit("anchor").exit_code == 0
    (ENTRIES / f"{newest}.json").unlink()

    result = audit("verify")

    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert f"{(ENTRIES / newest).as_posix()}.json: missing, yet the anchor" in first
    assert "names it as a head" in first


def test_a_ledger_rolled_back_through_git_fails_verify_once_anchored(repo: Path) -> None:
    record_version(repo, "one\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first generation")
    newest = record_version(repo, "one\ntwo\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second generation")
    git(repo, "checkout", "-q", "HEAD~1")
    # Without an anchor, the older ledger is a shorter chain that verifies.
    assert audit("verify").exit_code == 0
    git(repo, "checkout", "-q", "main")
    assert audit("anchor").exit_code == 0

    git(repo, "checkout", "-q", "HEAD~1")
    result = audit("verify")

    assert result.exit_code == 1
    assert f"{newest}.json: missing, yet the anchor" in result.output
    # Nor can the rolled-back state be anchored over the newer anchor.
    refused = audit("anchor")
    assert refused.exit_code == 1 and refused.output.startswith("not anchored: ledger broken")
    git(repo, "checkout", "-q", "main")
    assert audit("verify").exit_code == 0


def test_a_second_anchor_follows_the_first(repo: Path) -> None:
    record_version(repo, "one\n")
    assert audit("anchor").exit_code == 0
    first = git(repo, "rev-parse", REF).strip()
    unchanged = audit("anchor")
    assert unchanged.exit_code == 0 and unchanged.output.startswith("already anchored")
    assert git(repo, "rev-parse", REF).strip() == first

    newest = record_version(repo, "one\ntwo\n")
    assert audit("anchor").exit_code == 0

    assert git(repo, "rev-parse", f"{REF}^").strip() == first
    assert anchored(repo) == [newest]
    assert audit("verify").exit_code == 0
    (ENTRIES / f"{newest}.json").unlink()
    assert audit("verify").exit_code == 1


def test_a_corrupt_anchored_entry_is_reported_as_corrupt_not_missing(repo: Path) -> None:
    head = record_version(repo, "one\n")
    assert audit("anchor").exit_code == 0
    path = ENTRIES / f"{head}.json"
    path.write_bytes(path.read_bytes().replace(b"model-1", b"model-2"))
    result = audit("verify")
    assert result.exit_code == 1
    assert "does not hash to its name" in result.output
    assert "names it as a head" not in result.output


def test_each_ledger_of_a_repository_has_its_own_anchor(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root_head = record_version(repo, "one\n")
    service = repo / "service"
    service.mkdir()
    (service / "stormproof.yaml").write_text("version: 1\nname: service\nservices: {}\n")
    (service / "api.py").write_text("x = 1\n")
    assert audit("anchor").exit_code == 0
    monkeypatch.chdir(service)
    result = audit("record", "--prompt", "../prompt.txt", "--response", "../response.md",
                   "--model", "m", "--", "api.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    (service_head,) = heads(open_ledger().entries())
    assert audit("anchor").exit_code == 0

    assert anchored(repo) == [root_head]
    assert anchored(repo, "service/.stormproof/ledger") == [service_head]
    (service / ENTRIES / f"{service_head}.json").unlink()
    assert audit("verify").exit_code == 1
    monkeypatch.chdir(repo)
    assert audit("verify").exit_code == 0


def test_a_broken_ledger_is_not_anchored(repo: Path) -> None:
    record_version(repo, "one\n")
    for blob in (repo / ".stormproof" / "ledger" / "blobs").iterdir():
        blob.unlink()
    result = audit("anchor")
    assert result.exit_code == 1
    assert result.output.startswith("not anchored: ledger broken: ")
    assert "is missing" in result.output
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", REF]).returncode != 0


def test_an_anchor_that_is_not_a_list_of_hashes_fails_verify(repo: Path) -> None:
    record_version(repo, "one\n")
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], input="not a hash\n",
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    index = os.environ | {"GIT_INDEX_FILE": str(repo / ".git" / "scratch-index")}
    subprocess.run(["git", "update-index", "--add", "--cacheinfo",
                    f"100644,{blob},.stormproof/ledger/heads"], env=index, check=True)  # fmt: skip
    tree = subprocess.run(["git", "write-tree"], env=index, capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    commit = git(repo, "commit-tree", tree, "-m", "forged").strip()
    git(repo, "update-ref", REF, commit)

    result = audit("verify")

    assert result.exit_code == 1
    assert f"{REF}:.stormproof/ledger/heads: the anchor is not a list of entry hashes" in (
        result.output
    )


def test_git_refusing_the_ref_update_is_one_line_and_exit_2(repo: Path) -> None:
    record_version(repo, "one\n")
    # Another git process holding the ref's lock.
    (repo / ".git" / "refs" / "stormproof").mkdir(parents=True)
    (repo / ".git" / "refs" / "stormproof" / "ledger.lock").write_text("")
    result = audit("anchor")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("stormproof audit anchor: git update-ref failed while anchoring: ")
    assert "ledger.lock" in line


@pytest.mark.parametrize("where", ["empty ledger", "outside a repository"])
def test_nothing_to_anchor_is_one_line_and_exit_2(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "outside a repository":
        outside = tmp_path / "plain"
        outside.mkdir()
        monkeypatch.chdir(outside)
    result = audit("anchor")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    expected = "no entries yet, nothing to anchor" if where == "empty ledger" else "not inside"
    assert expected in line
