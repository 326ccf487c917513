"""`stormproof audit blame`: the entry that last wrote each line, through successive
generations, hand edits, human checkpoints, redacted snapshots, binary versions and merged
branches; and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.ledger import LedgerError, open_ledger
from stormproof.ledger.blame import blame_file, parse_target
from stormproof.ledger.store import heads
from tests.ledger.conftest import audit, checkpoint, git, record

HUMAN, UNKNOWN = "human", "unknown"
MALFORMED = "LINE must be a whole number from 1)"


def generate(text: str, path: str = "app.py", model: str = "model-1") -> str:
    """Write ``text`` to ``path`` and record it as one generation; the entry's hash."""
    Path(path).write_text(text)
    result = record(path, model=model)
    assert result.exit_code == 0, result.output
    (head,) = heads(open_ledger().entries())  # a new entry joins every head
    return head


def writers(target: str = "app.py") -> list[str]:
    """Per line: the entry that wrote it, or ``human`` / ``unknown``."""
    result = audit("blame", target, "--format", "json")
    assert result.exit_code == 0, result.output
    return [line["entry"] or line["origin"] for line in json.loads(result.output)]


def snapshot(entry: str, path: str = "app.py") -> str:
    (file,) = [f for f in open_ledger().entries()[entry].files if f.path == path]
    assert file.content is not None
    return file.content


def redact(blob: str) -> None:
    result = audit("redact", blob, "--reason", "secret in it")
    assert result.exit_code == 0, result.output


def test_each_line_names_the_generation_that_last_wrote_it(repo: Path) -> None:
    # app.py is committed as "import os / / / def main(): / pass": those lines are human.
    first = generate("import os\n\n\ndef main():\n    return 1\n")
    second = generate("import os\n\n\ndef main():\n    return 1\n\n\ndef health():\n    return 2\n")
    (repo / "app.py").write_text(
        "# by hand\nimport os\n\n\ndef main():\n    return 1\n\n\ndef health():\n    return 3\n"
    )

    assert writers() == [HUMAN, HUMAN, HUMAN, HUMAN, HUMAN, first, second, second, second, HUMAN]


def test_one_line_carries_its_entry_model_time_and_prompt(repo: Path) -> None:
    entry = generate("import os\n\n\ndef main():\n    return 1\n", model="claude-x")

    result = audit("blame", "app.py:5", "--format", "json")

    assert result.exit_code == 0, result.output
    (line,) = json.loads(result.output)
    recorded = open_ledger().entries()[entry]
    assert line == {
        "line": 5,
        "text": "    return 1",
        "origin": "generation",
        "entry": entry,
        "time": recorded.time,
        "author": "Ada <ada@example.com>",
        "model": "claude-x",
        "prompt": "Add a health endpoint",
    }


def test_the_text_form_shows_writers_a_key_and_a_summary(repo: Path) -> None:
    entry = generate("import os\n\n\ndef main():\n    return 1\n", model="claude-x")

    result = audit("blame", "app.py")

    assert result.exit_code == 0, result.output
    rows, key = result.output.split("\n\n")
    assert rows.splitlines()[0] == f"{'human':<12} 1 | import os"
    assert rows.splitlines()[4] == f"{entry[:12]} 5 |     return 1"
    time = open_ledger().entries()[entry].time
    assert key.splitlines() == [
        f"{entry[:12]} {time} claude-x: Add a health endpoint",
        "app.py: 5 lines: 1 by 1 recorded generation, 4 human-written",
    ]
    one = audit("blame", "app.py:5").output.splitlines()
    assert one == [f"{entry[:12]} 5 |     return 1", "", key.splitlines()[0]]


def test_a_file_never_recorded_is_all_human_written_and_says_so(repo: Path) -> None:
    generate("x = 1\n", path="other.py")
    (repo / "notes.py").write_text("a = 1\nb = 2\n")

    assert writers("notes.py") == [HUMAN, HUMAN]
    result = audit("blame", "notes.py")
    assert result.exit_code == 0
    assert "notes.py: never recorded in the ledger: every line is human-written" in result.output


def test_paths_are_taken_relative_to_the_working_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pkg").mkdir()
    entry = generate("x = 1\ny = 2\n", path="pkg/mod.py")
    monkeypatch.chdir(repo / "pkg")

    assert writers("mod.py") == [entry, entry]
    assert writers("../pkg/mod.py:2") == [entry]
    assert blame_file(open_ledger(), repo / "pkg" / "mod.py").path == "pkg/mod.py"


def test_a_line_from_a_redacted_snapshot_is_unknown(repo: Path) -> None:
    first = generate("a\nb\nc\n", path="new.py")
    second = generate("a\nB\nc\nd\n", path="new.py")
    redact(snapshot(first, "new.py"))  # second was diffed against it: a, c came through it
    (repo / "new.py").write_text("a\nB\nc\nd\ne\n")

    assert writers("new.py") == [UNKNOWN, second, UNKNOWN, second, HUMAN]
    result = audit("blame", "new.py")
    assert result.exit_code == 0, result.output
    assert "2 unknown (snapshot redacted)" in result.output


def test_lines_are_mapped_past_a_redacted_snapshot_onto_the_one_before(repo: Path) -> None:
    first = generate("a\nb\nc\nd\n", path="new.py")
    second = generate("a\nB\nc\nd\n", path="new.py")
    third = generate("a\nB\nc\nD\n", path="new.py")
    redact(snapshot(second, "new.py"))

    # "a" and "c" are found in the first version; "B" came through the second, unreadable.
    assert writers("new.py") == [first, UNKNOWN, first, third]


def test_a_redacted_last_snapshot_is_read_from_an_unchanged_working_tree(repo: Path) -> None:
    first = generate("a\nb\n", path="new.py")
    second = generate("a\nB\n", path="new.py")
    redact(snapshot(second, "new.py"))

    assert writers("new.py") == [first, second]
    (repo / "new.py").write_text("a\nB\nc\n")  # now it differs: B cannot be mapped through
    assert writers("new.py") == [first, UNKNOWN, UNKNOWN]


def test_a_snapshot_redacted_before_the_next_record_was_diffed_past(repo: Path) -> None:
    first = generate("a\nb\nc\n", path="new.py")
    second = generate("a\nB\nc\n", path="new.py")
    redact(snapshot(second, "new.py"))
    # record found the second snapshot gone and diffed against the first: B is the third's.
    third = generate("a\nB\nc\nd\n", path="new.py")

    assert writers("new.py") == [first, third, first, third]


def test_a_redacted_prompt_is_shown_as_redacted(repo: Path) -> None:
    entry = generate("x = 1\n", path="new.py")
    redact(open_ledger().entries()[entry].prompt or "")

    (line,) = json.loads(audit("blame", "new.py", "--format", "json").output)
    assert line["entry"] == entry and line["prompt"] is None
    assert f"{entry[:12]} " in audit("blame", "new.py").output
    assert ": (redacted)" in audit("blame", "new.py").output


def test_a_binary_version_between_two_texts_is_skipped(repo: Path) -> None:
    first = generate("a\nb\n", path="new.py")
    (repo / "new.py").write_bytes(b"\x00binary")
    assert record("new.py").exit_code == 0
    # Text again, by hand: mapped onto the last text version, as record would diff it.
    (repo / "new.py").write_text("a\nb\nc\n")
    assert writers("new.py") == [first, first, HUMAN]
    third = generate("a\nb\nc\nd\n", path="new.py")
    assert writers("new.py") == [first, first, third, third]


def test_branches_that_each_recorded_the_file_keep_their_lines_when_merged(repo: Path) -> None:
    (repo / "app.py").write_text("one\ntwo\nthree\nfour\nfive\nsix\nseven\n")
    git(repo, "add", ".")  # the prompt and response files too, so that both branches have them
    git(repo, "commit", "-q", "-m", "seven lines")
    git(repo, "checkout", "-q", "-b", "left")
    left = generate("ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "left")
    git(repo, "checkout", "-q", "main")
    right = generate("one\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "right")
    git(repo, "merge", "-q", "--no-edit", "left")
    assert (repo / "app.py").read_text() == "ONE\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n"

    assert writers() == [left, HUMAN, HUMAN, HUMAN, HUMAN, HUMAN, right]

    joined = generate("ONE\ntwo\nthree\nFOUR\nfive\nsix\nSEVEN\n")
    # record diffed the joining entry against one branch's version only, so it claims the
    # other branch's line too; blame gives that line back to the branch it came from.
    (file,) = open_ledger().entries()[joined].files
    assert file.lines is not None and len(file.lines) == 2
    assert writers() == [left, HUMAN, HUMAN, joined, HUMAN, HUMAN, right]


def test_each_branch_version_is_mapped_onto_its_own_branch_not_the_log_order(
    repo: Path,
) -> None:
    lines = ["one", "two", "three", "four", "five", "six", "seven"]

    def version(**changed: str) -> str:
        return "".join(f"{changed.get(line, line)}\n" for line in lines)

    (repo / "app.py").write_text(version())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "seven lines")
    main = generate(version(one="ONE"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "main")
    git(repo, "checkout", "-q", "-b", "left")
    left = generate(version(one="ONE", four="FOUR"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "left")
    git(repo, "checkout", "-q", "main")
    # Recorded after left's entry, so after it in the log, but diffed against main's.
    later = generate(version(one="ONE", seven="SEVEN"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "later")
    git(repo, "merge", "-q", "--no-edit", "left")

    assert writers() == [main, HUMAN, HUMAN, left, HUMAN, HUMAN, later]
    # Left's change undone by hand: "four" is git's HEAD line again, not the later entry's
    # (which it would be, were the later version diffed against left's, the one before it).
    (repo / "app.py").write_text(version(one="ONE", seven="SEVEN"))
    assert writers() == [main, HUMAN, HUMAN, HUMAN, HUMAN, HUMAN, later]


def by_hand(text: str, path: str = "app.py") -> str:
    """Write ``text`` to ``path`` and record it as a human checkpoint; the entry's hash."""
    Path(path).write_text(text)
    result = checkpoint(path, author="Bob")
    assert result.exit_code == 0, result.output
    (head,) = heads(open_ledger().entries())
    return head


def test_a_checkpoint_s_lines_are_human_and_name_it(repo: Path) -> None:
    first = generate("a\nb\nc\n", path="new.py")
    hand = by_hand("a\nB\nc\n", path="new.py")
    second = generate("a\nB\nc\nd\n", path="new.py")

    result = json.loads(audit("blame", "new.py", "--format", "json").output)

    assert [(line["origin"], line["entry"]) for line in result] == [
        ("generation", first),
        (HUMAN, hand),
        ("generation", first),
        ("generation", second),
    ]
    assert result[1]["author"] == "Bob" and result[1]["model"] is None
    # Edited by hand again, unrecorded: a human line no entry names.
    (repo / "new.py").write_text("a\nB\nC\nd\n")
    assert writers("new.py") == [first, hand, HUMAN, second]


def test_a_redacted_checkpoint_snapshot_makes_the_lines_through_it_unknown(repo: Path) -> None:
    first = generate("a\nb\nc\n", path="new.py")
    hand = by_hand("a\nB\nc\n", path="new.py")
    second = generate("a\nB\nc\nd\n", path="new.py")
    redact(snapshot(hand, "new.py"))

    # Mapped past it onto the first version: "B" is not there, so its writer is not known.
    assert writers("new.py") == [first, UNKNOWN, first, second]


def test_a_checkpoint_on_one_branch_keeps_its_lines_when_merged(repo: Path) -> None:
    (repo / "app.py").write_text("one\ntwo\nthree\nfour\nfive\nsix\nseven\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "seven lines")
    git(repo, "checkout", "-q", "-b", "left")
    hand = by_hand("ONE\ntwo\nthree\nfour\nfive\nsix\nseven\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "left")
    git(repo, "checkout", "-q", "main")
    right = generate("one\ntwo\nthree\nfour\nfive\nsix\nSEVEN\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "right")
    git(repo, "merge", "-q", "--no-edit", "left")

    assert writers() == [hand, HUMAN, HUMAN, HUMAN, HUMAN, HUMAN, right]

    joined = generate("ONE\ntwo\nthree\nFOUR\nfive\nsix\nSEVEN\n")
    assert writers() == [hand, HUMAN, HUMAN, joined, HUMAN, HUMAN, right]
    lines = json.loads(audit("blame", "app.py", "--format", "json").output)
    assert [lines[i]["origin"] for i in (0, 3, 6)] == [HUMAN, "generation", "generation"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.py", "missing.py: no such file"),
        ("missing.py:3", "missing.py: no such file"),
        ("app.py:0", f"app.py:0: not PATH:LINE ({MALFORMED}"),
        ("app.py:x", f"app.py:x: not PATH:LINE ({MALFORMED}"),
        ("app.py:", f"app.py:: not PATH:LINE ({MALFORMED}"),
        ("app.py:-2", f"app.py:-2: not PATH:LINE ({MALFORMED}"),
        ("app.py:6", "app.py:6: no such line (the file has 5)"),
        ("empty.py:1", "empty.py:1: no such line (the file has 0)"),
        ("pkg", "pkg: not a file"),
        ("logo.png", "logo.png: a binary file (the ledger keeps its hash, no line attribution)"),
        ("", "PATH[:LINE]: the path is empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo: Path, target: str, message: str) -> None:
    (repo / "pkg").mkdir()
    (repo / "empty.py").write_text("")
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x00\x01")
    assert record("logo.png").exit_code == 0  # recorded or not, a binary file has no lines

    result = audit("blame", target)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"stormproof audit blame: {message}\n"


def test_a_file_outside_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("x\n")
    result = audit("blame", str(tmp_path / "outside.py"))
    assert result.exit_code == 2
    assert f"outside.py: outside the repository {repo}" in result.stderr


def test_a_corrupt_entry_is_one_line_and_exit_2(repo: Path) -> None:
    entry = generate("x = 1\n", path="new.py")
    path = repo / ".stormproof" / "ledger" / "entries" / f"{entry}.json"
    path.write_bytes(path.read_bytes().replace(b"model-1", b"model-2"))

    result = audit("blame", "new.py")

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"stormproof audit blame: .stormproof/ledger/entries/{entry}.json: "
        "its content does not hash to its name"
    ]


def test_an_existing_path_with_a_colon_is_a_path(repo: Path) -> None:
    (repo / "odd:1").write_text("x\n")
    assert parse_target("odd:1") == (Path("odd:1"), None)
    assert parse_target("app.py:12") == (Path("app.py"), 12)
    assert parse_target("a:b.py:3") == (Path("a:b.py"), 3)
    assert writers("odd:1") == [HUMAN]
    with pytest.raises(LedgerError, match="not PATH:LINE"):
        parse_target("app.py:1.5")


def test_blame_outside_a_repository_is_refused(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "f.py").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    result = audit("blame", "f.py")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr
