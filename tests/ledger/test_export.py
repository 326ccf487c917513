"""`stormproof audit export`: in-toto statements checked against the Statement v1 rules,
and the markdown report a person reads."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from stormproof.ledger import Entry, open_ledger
from stormproof.ledger.canonical import sha256
from stormproof.ledger.export import Results, summarise
from stormproof.ledger.order import in_order
from tests.ledger.conftest import audit

# The in-toto Statement v1 layer (github.com/in-toto/attestation, spec/v1/statement.md,
# resource_descriptor.md, digest_set.md): _type fixed; subject a list of resource
# descriptors, each with a digest of lowercase hex values; predicateType a URI.
STATEMENT_V1 = {
    "type": "object",
    "required": ["_type", "subject", "predicateType"],
    "properties": {
        "_type": {"const": "https://in-toto.io/Statement/v1"},
        "subject": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["digest"],
                "properties": {
                    "name": {"type": "string"},
                    "digest": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]+$"},
                    },
                },
            },
        },
        "predicateType": {"type": "string", "pattern": "^https://"},
        "predicate": {"type": "object"},
    },
}
CHAOS = {
    "valid": False,
    "scenario": "partition",
    "seconds": 1.5,
    "invariants": [
        {"name": "no-lost-writes", "valid": True},
        {"name": "linearizable", "valid": False},
        {"name": "converges", "valid": "unknown"},
    ],
}
CHECK = {
    "tool": "stormproof",
    "version": "0.1.0",
    "findings": [],
    "summary": {"files": 3, "findings": 1, "errors": 1, "warnings": 0, "suppressed": 0},
}


def generate(repo: Path, model: str, prompt: str, files: dict[str, bytes], results=None) -> str:
    """Write ``files``, record them; the new entry's hash."""
    for name, data in files.items():
        (repo / name).write_bytes(data)
    (repo / "prompt.txt").write_text(prompt)
    arguments = ["--prompt", "prompt.txt", "--response", "response.md", "--model", model]
    if results is not None:
        (repo / "results.json").write_bytes(results)
        arguments += ["--results", "results.json"]
    result = audit("record", *arguments, "--", *files)
    assert result.exit_code == 0, result.output
    return in_order(open_ledger().entries())[-1]


@pytest.fixture
def history(repo: Path) -> list[str]:
    """Two generations by two models (one with chaos results and a binary file, one with
    check results) and a redaction of the first prompt; the generations' hashes."""
    first = generate(repo, "model-a", "Write the booking service\nwith retries\n",
                     {"app.py": b"import os\nx = 1\n", "logo.png": b"\x89PNG\x00"},
                     json.dumps(CHAOS).encode())  # fmt: skip
    fix = {"app.py": b"import os\nx = 2\ny = 3\n"}
    second = generate(
        repo, "model-b", "Fix | the *retry* <loop>\n", fix, json.dumps(CHECK).encode()
    )
    prompt = sha256(b"Write the booking service\nwith retries\n")
    assert audit("redact", prompt, "--reason", "names a customer").exit_code == 0
    return [first, second]


def test_in_toto_gives_one_valid_statement_per_generation(repo: Path, history: list[str]) -> None:
    result = audit("export", "--format", "in-toto")

    assert result.exit_code == 0, result.output
    statements = [json.loads(line) for line in result.output.splitlines()]
    assert len(statements) == 2  # the redaction names no artifact: no statement
    for statement in statements:
        jsonschema.validate(statement, STATEMENT_V1)
    first, second = statements
    assert first["subject"] == [
        {"name": "app.py", "digest": {"sha256": sha256(b"import os\nx = 1\n")}},
        {"name": "logo.png", "digest": {"sha256": sha256(b"\x89PNG\x00")}},
    ]
    assert first["predicateType"] == "https://stormproof.dev/ledger/generation/v1"
    predicate = first["predicate"]
    assert predicate["entry"] == {
        "sha256": history[0],
        "path": f".stormproof/ledger/entries/{history[0]}.json",
    }
    assert predicate["parents"] == []
    assert predicate["model"] == "model-a"
    assert predicate["prompt"] == {
        "sha256": sha256(b"Write the booking service\nwith retries\n"),
        "redacted": True,
    }
    assert predicate["response"] == {"sha256": sha256(b"Here is the code.\n"), "redacted": False}
    assert predicate["results"] == {
        "sha256": sha256(json.dumps(CHAOS).encode()),
        "redacted": False,
        "bytes": len(json.dumps(CHAOS).encode()),
        "summary": {
            "kind": "chaos",
            "valid": False,
            "scenario": "partition",
            "invariants": {"no-lost-writes": True, "linearizable": False, "converges": "unknown"},
        },
    }
    app, logo = predicate["files"]
    assert app["path"] == "app.py" and app["lines"] == [[2, 2]]
    assert logo == {"path": "logo.png", "sha256": sha256(b"\x89PNG\x00"), "content": None,
                    "lines": None}  # fmt: skip
    assert predicate["author"] == "Ada <ada@example.com>"
    assert predicate["tool"].startswith("stormproof ")
    assert predicate["time"] == open_ledger().entries()[history[0]].time
    assert second["predicate"]["parents"] == [history[0]]
    assert second["predicate"]["prompt"]["redacted"] is False
    assert second["predicate"]["results"]["summary"] == {"kind": "check", **CHECK["summary"]}
    assert second["predicate"]["files"][0]["lines"] == [[2, 3]]


def test_export_writes_the_same_text_to_a_file(repo: Path, history: list[str]) -> None:
    for form in ("in-toto", "markdown"):
        printed = audit("export", "--format", form).output
        result = audit("export", "--format", form, "--output", "out.txt")
        assert result.exit_code == 0 and result.output == ""
        assert (repo / "out.txt").read_text() == printed


def test_markdown_lists_each_module_model_prompt_and_check(repo: Path, history: list[str]) -> None:
    result = audit("export", "--format", "markdown")

    assert result.exit_code == 0, result.output
    report = result.output
    assert report.startswith("# AI-generated code in repo: technical documentation\n")
    for expected in (
        "### `app.py`",
        "### `logo.png`",
        "- Models: model-a (1), model-b (1)",
        "- Ledger integrity: intact",
        "- Redactions: 1",
        "Fix \\| the \\*retry\\* \\<loop\\>",  # in a table row: markdown escaped
        "- Prompt: Fix | the \\*retry\\* \\<loop\\>",  # outside a table, a pipe is left alone
        "| 2-3 (2 lines) |",
        "binary, no line attribution",
        "- Checks: stormproof chaos, scenario partition: INVALID (linearizable INVALID, "
        "converges unknown)",
        "- Checks: stormproof check: 1 finding in 3 files (errors 1, warnings 0, suppressed 0)",
        "names a customer",
        "Now: as its last recorded generation left it.",
    ):
        assert expected in report, expected
    assert report.count("(redacted)") == 3  # the first prompt: its row in two tables, its entry
    assert "Write the booking service" not in report


def test_markdown_says_when_a_file_changed_or_went_since(repo: Path, history: list[str]) -> None:
    (repo / "app.py").write_text("edited by hand\n")
    (repo / "logo.png").unlink()
    report = audit("export", "--format", "markdown").output
    assert "Now: changed since its last recorded generation" in report
    assert "Now: deleted since its last recorded generation." in report


def test_markdown_reports_a_broken_ledger(repo: Path, history: list[str]) -> None:
    (repo / ".stormproof" / "ledger" / "blobs" / sha256(b"Here is the code.\n")).unlink()
    result = audit("export", "--format", "markdown")
    assert result.exit_code == 0
    assert "- Ledger integrity: **broken**: " in result.output
    assert "is missing" in result.output


def test_an_empty_ledger_exports_nothing_and_says_so(repo: Path) -> None:
    assert audit("export", "--format", "in-toto").output == ""
    report = audit("export", "--format", "markdown").output
    assert report.count("None recorded.") == 2
    assert "- Generations recorded: 0" in report and "Period" not in report


def test_a_generation_without_files_gets_no_statement(repo: Path) -> None:
    ledger = open_ledger()
    with ledger.locked():
        ledger.add(Entry(kind="generation", parents=(), time="2025-01-01T00:00:00Z", author="a",
                         tool="t", model="m", prompt=ledger.put_blob(b"p"),
                         response=ledger.put_blob(b"r")))  # fmt: skip
    result = audit("export", "--format", "in-toto")
    assert result.exit_code == 0 and result.output == ""


@pytest.mark.parametrize("form", ["in-toto", "markdown"])
def test_a_corrupt_entry_is_one_line_and_exit_2(repo: Path, history: list[str], form: str) -> None:
    path = repo / ".stormproof" / "ledger" / "entries" / f"{history[0]}.json"
    path.write_bytes(path.read_bytes().replace(b"model-a", b"model-z"))
    result = audit("export", "--format", form)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line == (
        f"stormproof audit export: .stormproof/ledger/entries/{history[0]}.json: its content "
        "does not hash to its name"
    )


def test_an_unwritable_output_is_one_line_and_exit_2(repo: Path, history: list[str]) -> None:
    result = audit("export", "--format", "markdown", "--output", "no/such/dir/report.md")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line == "stormproof audit export: no/such/dir/report.md: No such file or directory"


def test_an_unknown_format_is_refused(repo: Path) -> None:
    result = audit("export", "--format", "spdx")
    assert result.exit_code == 2 and "'spdx' is not one of" in result.output


@pytest.mark.parametrize(
    ("data", "summary", "text"),
    [
        (json.dumps(CHECK).encode(), {"kind": "check", **CHECK["summary"]},
         "stormproof check: 1 finding in 3 files (errors 1, warnings 0, suppressed 0)"),
        (b'{"valid": true, "scenario": "s", "invariants": [{"name": "a", "valid": true}]}',
         {"kind": "chaos", "valid": True, "scenario": "s", "invariants": {"a": True}},
         "stormproof chaos, scenario s: valid (all 1 invariants held)"),
        (b'{"valid": false}', {"kind": "verdict", "valid": False}, "recorded verdict: INVALID"),
        (b'{"other": 1}', None, "recorded, 12 bytes"),
        (b"[1, 2]", None, "recorded, 6 bytes"),
        (b"not json", None, "recorded, 8 bytes"),
        (b"\xff\xfe", None, "recorded, 2 bytes"),
    ],
)  # fmt: skip
def test_results_are_summarised_when_stormproof_wrote_them(
    data: bytes, summary: dict | None, text: str
) -> None:
    assert summarise(data) == summary
    assert Results(sha256(data), len(data), summary).describe() == text


def test_redacted_results_are_said_to_be(repo: Path) -> None:
    assert Results.read(open_ledger(), "0" * 64).describe() == "(redacted)"


def by_hand(repo: Path, files: dict[str, bytes]) -> str:
    """Write ``files`` and record them as Bob's checkpoint; the new entry's hash."""
    for name, data in files.items():
        (repo / name).write_bytes(data)
    result = audit("checkpoint", "--author", "Bob", "--", *files)
    assert result.exit_code == 0, result.output
    return in_order(open_ledger().entries())[-1]


def test_in_toto_gives_a_checkpoint_a_human_statement(repo: Path, history: list[str]) -> None:
    hand = by_hand(repo, {"app.py": b"import os\nx = 2\ny = 3\nz = 4\n"})
    after = generate(repo, "model-c", "More\n", {"app.py": b"import os\nx = 2\ny = 3\nz = 4\nw\n"})

    result = audit("export", "--format", "in-toto")

    assert result.exit_code == 0, result.output
    statements = [json.loads(line) for line in result.output.splitlines()]
    assert len(statements) == 4
    for statement in statements:
        jsonschema.validate(statement, STATEMENT_V1)
    checkpoint, generation = statements[2:]
    redaction = in_order(open_ledger().entries())[2]
    content = b"import os\nx = 2\ny = 3\nz = 4\n"
    assert checkpoint == {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.py", "digest": {"sha256": sha256(content)}}],
        "predicateType": "https://stormproof.dev/ledger/checkpoint/v1",
        "predicate": {
            "entry": {"sha256": hand, "path": f".stormproof/ledger/entries/{hand}.json"},
            "parents": [redaction],
            "origin": "human",
            "files": [
                {
                    "path": "app.py",
                    "sha256": sha256(content),
                    "content": sha256(content),
                    "lines": [[4, 4]],
                }
            ],
            "author": "Bob",
            "time": open_ledger().entries()[hand].time,
            "tool": checkpoint["predicate"]["tool"],
        },
    }
    assert checkpoint["predicate"]["tool"].startswith("stormproof ")
    assert generation["predicateType"] == "https://stormproof.dev/ledger/generation/v1"
    assert generation["predicate"]["entry"]["sha256"] == after
    assert generation["predicate"]["parents"] == [hand]
    assert generation["predicate"]["files"][0]["lines"] == [[5, 5]]  # not Bob's line 4


def test_markdown_shows_human_checkpoints_in_a_module_s_history(
    repo: Path, history: list[str]
) -> None:
    hand = by_hand(repo, {"app.py": b"import os\nx = 2\ny = 3\nz = 4\n", "notes.md": b"n\n"})

    result = audit("export", "--format", "markdown")

    assert result.exit_code == 0, result.output
    report = result.output
    time = open_ledger().entries()[hand].time
    for expected in (
        "- Human checkpoints (lines changed by hand between generations): 1",
        f"| `{hand[:12]}` | {time} | human | 4 (1 line) | (checkpoint by Bob) |",
        "Now: as its last human checkpoint left it.",
        "## Human checkpoints",
        f"| `{hand[:12]}` | {time} | Bob | `app.py`: 4 (1 line); `notes.md`: 1 (1 line) |",
    ):
        assert expected in report, expected
    # A file only a person wrote is no AI-generated module.
    assert "### `notes.md`" not in report
    assert "- AI-generated files: 2" in report
    (repo / "app.py").write_text("changed again\n")
    changed = audit("export", "--format", "markdown").output
    assert "Now: changed since its last human checkpoint (by hand, or by an unrecorded " in changed
