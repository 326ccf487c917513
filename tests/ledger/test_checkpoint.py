"""`stormproof audit checkpoint`: files as a person left them, recorded between two
generations, so that the hand-edited lines are the person's and the next generation claims
only its own; a checkpoint with nothing changed writes nothing; bad input."""

from __future__ import annotations

import json
from pathlib import Path

from stormproof.ledger import open_ledger, record_checkpoint
from stormproof.ledger.canonical import sha256
from stormproof.ledger.order import in_order
from stormproof.ledger.store import heads
from tests.ledger.conftest import audit, checkpoint, record

BOB = "Bob <bob@example.com>"


def newest() -> str:
    (head,) = heads(open_ledger().entries())
    return head


def generate(text: str, model: str) -> str:
    Path("app.py").write_text(text)
    result = record("app.py", model=model)
    assert result.exit_code == 0, result.output
    return newest()


def blame() -> list[dict]:
    result = audit("blame", "app.py", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def entry_files() -> set[Path]:
    return set((Path(".stormproof") / "ledger" / "entries").glob("*"))


def test_lines_edited_by_hand_between_generations_are_the_person_s(repo: Path) -> None:
    # app.py is committed as "import os / / / def main(): / pass".
    first = generate("import os\n\n\ndef main():\n    return 1\n", model="model-1")
    (repo / "app.py").write_text("import os\nimport sys\n\n\ndef main():\n    return 2\n")

    done = checkpoint("app.py", author=BOB)

    assert done.exit_code == 0, done.output
    hand = newest()
    assert done.output == f"checkpointed {hand[:12]} (1 file: app.py) in .stormproof/ledger\n"
    second = generate(
        "import os\nimport sys\n\n\ndef main():\n    return 2\n\n\ndef health():\n    return 3\n",
        model="model-2",
    )
    entries = open_ledger().entries()
    # The generation claims only the lines it added, diffed against the checkpoint.
    assert entries[second].parents == (hand,)
    assert entries[second].files[0].lines == ((7, 10),)
    assert entries[hand].files[0].lines == ((2, 2), (6, 6))

    lines = blame()
    assert [(line["origin"], line["entry"]) for line in lines] == [
        ("human", None),  # committed before the first record
        ("human", hand),
        ("human", None),
        ("human", None),
        ("human", None),
        ("human", hand),  # was the first generation's "return 1"
        ("generation", second),
        ("generation", second),
        ("generation", second),
        ("generation", second),
    ]
    assert first not in {line["entry"] for line in lines}
    assert lines[1] == {
        "line": 2,
        "text": "import sys",
        "origin": "human",
        "entry": hand,
        "time": entries[hand].time,
        "author": BOB,
        "model": None,
        "prompt": None,
    }
    assert lines[6]["model"] == "model-2" and lines[6]["author"] == "Ada <ada@example.com>"


def test_the_text_blame_names_the_checkpoint_as_human(repo: Path) -> None:
    generate("import os\n\n\ndef main():\n    return 1\n", model="model-1")
    (repo / "app.py").write_text("import os\n\n\ndef main():\n    return 2\n")
    assert checkpoint("app.py", author=BOB).exit_code == 0
    hand = newest()

    result = audit("blame", "app.py")

    assert result.exit_code == 0, result.output
    rows, key = result.output.split("\n\n")
    assert rows.splitlines()[4] == f"{hand[:12]} 5 |     return 2"
    time = open_ledger().entries()[hand].time
    assert key.splitlines() == [
        f"{hand[:12]} {time} human checkpoint by {BOB}",
        "app.py: 5 lines: 0 by 0 recorded generations, 5 human-written (1 in 1 checkpoint)",
    ]


def test_a_checkpoint_entry_holds_the_files_and_no_prompt_or_model(repo: Path) -> None:
    (repo / "app.py").write_text("import os\n\n\ndef main():\n    return 1\n")
    (repo / "logo.png").write_bytes(b"\x89PNG\x00")

    result = checkpoint("app.py", "logo.png", author=BOB)

    assert result.exit_code == 0, result.output
    assert "note: logo.png is binary" in result.stderr
    (path,) = entry_files()
    data = path.read_bytes()
    assert path.stem == sha256(data)
    body = json.loads(data)
    assert set(body) == {"version", "kind", "parents", "time", "author", "tool", "files"}
    assert body["kind"] == "checkpoint" and body["parents"] == [] and body["author"] == BOB
    assert body["tool"].startswith("stormproof ") and body["time"].endswith("Z")
    app, logo = body["files"]
    content = (repo / "app.py").read_bytes()
    assert app == {"path": "app.py", "sha256": sha256(content), "content": sha256(content),
                   "lines": [[5, 5]]}  # fmt: skip
    assert (repo / ".stormproof" / "ledger" / "blobs" / app["content"]).read_bytes() == content
    assert logo == {"path": "logo.png", "sha256": sha256(b"\x89PNG\x00"), "content": None,
                    "lines": None}  # fmt: skip
    assert audit("verify").exit_code == 0


def test_a_checkpoint_with_nothing_changed_writes_nothing(repo: Path) -> None:
    # Never recorded and as git's HEAD has it: nothing to claim.
    result = checkpoint("app.py")
    assert result.exit_code == 0, result.output
    assert result.output == "nothing to checkpoint: unchanged since the last record (or git's " \
        "HEAD): app.py\n"  # fmt: skip
    assert not (repo / ".stormproof" / "ledger" / "entries").exists()

    generate("recorded\n", model="model-1")
    (repo / "notes.py").write_text("by hand\n")
    assert checkpoint("notes.py").exit_code == 0
    before = entry_files()
    again = checkpoint("app.py", "notes.py")
    assert again.exit_code == 0 and again.output.startswith("nothing to checkpoint: ")
    assert entry_files() == before


def test_only_the_changed_files_are_checkpointed(repo: Path) -> None:
    generate("recorded\n", model="model-1")
    (repo / "other.py").write_text("new by hand\n")

    result = checkpoint("app.py", "other.py")

    assert result.exit_code == 0, result.output
    hand = newest()
    assert result.output == (
        f"checkpointed {hand[:12]} (1 file: other.py) in .stormproof/ledger; unchanged since "
        "the last record (or git's HEAD): app.py\n"
    )
    (file,) = open_ledger().entries()[hand].files
    assert file.path == "other.py" and file.lines == ((1, 1),)


def test_a_file_never_recorded_is_checkpointed_against_git_head(repo: Path) -> None:
    (repo / "app.py").write_text("import os\nimport re\n\n\ndef main():\n    pass\n")

    done = record_checkpoint(open_ledger(), [repo / "app.py"], author=BOB)

    assert done.changed == ("app.py",) and done.unchanged == ()
    assert done.entry is not None
    (file,) = open_ledger().entries()[done.entry].files
    assert file.lines == ((2, 2),)
    assert [line["entry"] for line in blame()] == [None, done.entry, None, None, None, None]


def test_a_redacted_last_snapshot_still_counts_as_unchanged(repo: Path) -> None:
    entry = generate("secret = 1\n", model="model-1")
    (file,) = open_ledger().entries()[entry].files
    assert audit("redact", str(file.content), "--reason", "a secret").exit_code == 0

    result = checkpoint("app.py")

    assert result.exit_code == 0 and result.output.startswith("nothing to checkpoint: ")
    assert len(open_ledger().entries()) == 2  # the generation and the redaction


def test_checkpoints_chain_with_generations_and_the_ledger_verifies(repo: Path) -> None:
    generate("one\n", model="model-1")
    (repo / "app.py").write_text("one\ntwo\n")
    assert checkpoint("app.py").exit_code == 0
    generate("one\ntwo\nthree\n", model="model-2")
    (repo / "app.py").write_text("one\ntwo\nthree\nfour\n")
    assert checkpoint("app.py").exit_code == 0

    entries = open_ledger().entries()
    kinds = [entries[digest].kind for digest in in_order(entries)]
    assert kinds == ["generation", "checkpoint", "generation", "checkpoint"]
    assert all(len(entry.parents) <= 1 for entry in entries.values())
    assert len(heads(entries)) == 1
    result = audit("verify")
    assert result.exit_code == 0, result.output
    assert "ledger intact: 4 entries" in result.output


def test_bad_input_is_one_line_and_exit_2(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("x\n")
    cases = {
        ("missing.py",): "missing.py: no such file",
        (".",): ".: not a file",
        ("app.py", str(tmp_path / "outside.py")): f"outside.py: outside the repository {repo}",
        (): "no files given: name the files to checkpoint after --",
    }
    for paths, message in cases.items():
        result = checkpoint(*paths)
        assert result.exit_code == 2, (paths, result.output)
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("stormproof audit checkpoint: ") and line.endswith(message)
    assert not (repo / ".stormproof" / "ledger" / "entries").exists()


def test_record_without_paths_is_one_line_too(repo: Path) -> None:
    result = record()
    assert result.exit_code == 2
    assert result.stderr == (
        "stormproof audit record: no files given: name the files the generation wrote after --\n"
    )


def test_a_checkpoint_outside_a_repository_is_refused(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "f.py").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    result = checkpoint("f.py")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr
