"""`stormproof audit record`: what an entry holds, the lines it attributes, the chain it
forms, and bad input."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from stormproof.ledger import Generation, open_ledger, record_generation
from stormproof.ledger.canonical import sha256
from stormproof.ledger.store import heads
from tests.ledger.conftest import audit, git, record


def only_entry(repo: Path) -> dict:
    (path,) = (repo / ".stormproof" / "ledger" / "entries").glob("*.json")
    return json.loads(path.read_bytes())


def test_an_entry_holds_the_generation_and_is_named_by_its_hash(repo: Path) -> None:
    (repo / "app.py").write_text(
        "import os\n\n\ndef main():\n    return 'ok'\n\n\ndef health():\n    return 200\n"
    )
    result = record("app.py")
    assert result.exit_code == 0, result.output
    (path,) = (repo / ".stormproof" / "ledger" / "entries").glob("*.json")
    data = path.read_bytes()
    assert path.stem == sha256(data)
    entry = json.loads(data)
    assert entry["kind"] == "generation" and entry["parents"] == []
    assert entry["model"] == "model-1"
    assert entry["author"] == "Ada <ada@example.com>"
    assert entry["tool"].startswith("stormproof ")
    assert entry["time"].endswith("Z")
    blobs = repo / ".stormproof" / "ledger" / "blobs"
    assert (blobs / entry["prompt"]).read_bytes() == (repo / "prompt.txt").read_bytes()
    assert (blobs / entry["response"]).read_bytes() == (repo / "response.md").read_bytes()
    (file,) = entry["files"]
    content = (repo / "app.py").read_bytes()
    assert file["path"] == "app.py" and file["sha256"] == sha256(content) == file["content"]
    # Against git's HEAD (never recorded before): line 5 changed, lines 6-9 added.
    assert file["lines"] == [[5, 9]]


def test_lines_are_attributed_against_the_last_recorded_version(repo: Path) -> None:
    (repo / "app.py").write_text("a\nb\nc\n")
    assert record("app.py").exit_code == 0
    first = open_ledger().entries()
    (repo / "app.py").write_text("a\nB\nc\nd\n")
    assert record("app.py").exit_code == 0
    entries = open_ledger().entries()
    (second,) = set(entries) - set(first)
    assert entries[second].parents == tuple(first)
    assert entries[second].files[0].lines == ((2, 2), (4, 4))


def test_a_new_file_is_written_in_full_and_paths_are_repository_relative(repo: Path) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "new.py").write_text("x = 1\ny = 2\n")
    (repo / "results.json").write_text('{"valid": true}')
    result = audit("record", "--prompt", "prompt.txt", "--response", "response.md", "--model", "m",
                   "--results", "results.json", "--", "pkg/new.py")  # fmt: skip
    assert result.exit_code == 0, result.output
    entry = only_entry(repo)
    assert entry["files"][0]["path"] == "pkg/new.py"
    assert entry["files"][0]["lines"] == [[1, 2]]
    assert entry["results"] == sha256(b'{"valid": true}')


def test_a_binary_file_gets_its_hash_and_no_line_attribution(repo: Path) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x00\x01")
    result = record("logo.png")
    assert result.exit_code == 0, result.output
    assert "logo.png is binary" in result.output
    (file,) = only_entry(repo)["files"]
    assert file["content"] is None and file["lines"] is None
    assert file["sha256"] == sha256(b"\x89PNG\r\n\x00\x01")


def test_bad_input_is_one_line_and_exit_2(repo: Path, tmp_path: Path) -> None:
    cases = {
        "missing.py": "missing.py: no such file",
        ".": ".: not a file",
        str(tmp_path / "outside.py"): "outside the repository",
    }
    (tmp_path / "outside.py").write_text("x\n")
    for path, message in cases.items():
        result = record(path)
        assert result.exit_code == 2, (path, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1
    missing_prompt = record("app.py", prompt="nope.txt")
    assert missing_prompt.exit_code == 2 and "nope.txt" in missing_prompt.output
    assert not (repo / ".stormproof" / "ledger" / "entries").exists()


def test_recording_outside_a_repository_is_refused(tmp_path: Path, monkeypatch) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    for name in ("p.txt", "r.txt", "f.py"):
        (outside / name).write_text("x\n")
    monkeypatch.chdir(outside)
    result = audit(
        "record", "--prompt", "p.txt", "--response", "r.txt", "--model", "m", "--", "f.py"
    )
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def _record_many(root: str, worker: int, count: int) -> None:
    ledger = open_ledger(Path(root))
    target = Path(root) / f"w{worker}.py"
    for n in range(count):
        target.write_text(f"# worker {worker}, generation {n}\n")
        generation = Generation(f"p{worker}-{n}".encode(), b"r", "m", [target])
        record_generation(ledger, generation)


def test_concurrent_records_from_two_processes_lose_and_corrupt_nothing(repo: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(str(repo), w, 25)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    entries = open_ledger().entries()  # raises on a corrupt entry
    assert len(entries) == 50
    # The lock made one chain: a single head, and every entry but the first has one parent.
    assert len(heads(entries)) == 1
    assert sorted(len(e.parents) for e in entries.values()) == [0] + [1] * 49
    assert audit("verify").exit_code == 0


def test_entries_recorded_on_two_branches_merge_and_the_next_joins_both(repo: Path) -> None:
    assert record("app.py").exit_code == 0
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first record")
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "other.py").write_text("other\n")
    assert record("other.py").exit_code == 0
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "on other")
    git(repo, "checkout", "-q", "main")
    (repo / "mine.py").write_text("mine\n")
    assert record("mine.py").exit_code == 0
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "on main")
    git(repo, "merge", "-q", "--no-edit", "other")  # no conflict: new files only
    assert len(heads(open_ledger().entries())) == 2
    (repo / "app.py").write_text("joined\n")
    assert record("app.py").exit_code == 0
    entries = open_ledger().entries()
    (head,) = heads(entries)
    assert len(entries[head].parents) == 2
    assert audit("verify").exit_code == 0
