"""``stormproof audit export --format markdown``: the ledger as technical documentation.

For a reader who never ran stormproof (an auditor, the EU AI Act's technical documentation,
an incident review): which modules AI models wrote, from which prompts, with which models,
and which checks the code passed when it was recorded; which lines people changed between
generations (human checkpoints); whether the ledger verifies; and what was redacted, by whom
and why. The report holds no export date, so exporting an unchanged ledger twice gives the
same bytes, and the report can be committed and diffed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import Entry, FileRecord
from stormproof.ledger.export import Results
from stormproof.ledger.log import first_line
from stormproof.ledger.order import in_order
from stormproof.ledger.store import Ledger
from stormproof.ledger.verify import verify_ledger

_PROMPT_WIDTH = 80


@dataclass(frozen=True)
class _Written:
    """An entry that recorded files: a generation, or a human checkpoint."""

    digest: str
    entry: Entry
    prompt: str
    """The prompt's first line, escaped, or ``(redacted)``; empty for a checkpoint."""


def render_markdown(ledger: Ledger) -> str:
    """The report. LedgerError on a corrupt entry (a broken blob or parent is reported in
    the text, as ``verify`` finds it)."""
    entries = ledger.entries()
    order = in_order(entries)
    written = [
        _Written(digest, entries[digest], _prompt(ledger, entries[digest]))
        for digest in order
        if entries[digest].kind != "redaction"
    ]
    generations = [item for item in written if item.entry.kind == "generation"]
    checkpoints = [item.entry for item in written if item.entry.kind == "checkpoint"]
    redactions = [entries[digest] for digest in order if entries[digest].kind == "redaction"]
    lines = _overview(ledger, generations, len(checkpoints), len(redactions))
    lines += _modules(ledger, written)
    lines += _generations(ledger, generations)
    lines += _checkpoints(checkpoints)
    lines += _redactions(redactions)
    return "\n".join(lines)


def _overview(
    ledger: Ledger, generations: list[_Written], checkpoints: int, redactions: int
) -> list[str]:
    result = verify_ledger(ledger)
    if result.intact:
        integrity = (
            f"intact (`stormproof audit verify`: {result.entries} entries, {result.blobs} "
            f"blobs, {result.redacted} redacted)"
        )
    else:
        integrity = f"**broken**: {_text(str(result.problems[0]))}"
    models = Counter(g.entry.model for g in generations)
    files = {record.path for g in generations for record in g.entry.files}
    period = []
    if generations:
        period = [f"- Period: {generations[0].entry.time} to {generations[-1].entry.time}"]
    return [
        f"# AI-generated code in {_text(ledger.repo.name)}: technical documentation",
        "",
        f"From the stormproof ledger {_code(ledger.relative(ledger.root))}: which prompts and "
        "models produced which code, and which checks it passed when it was recorded.",
        "",
        f"- Generations recorded: {len(generations)}",
        *period,
        f"- AI-generated files: {len(files)}",
        f"- Human checkpoints (lines changed by hand between generations): {checkpoints}",
        "- Models: "
        + (", ".join(f"{_text(str(m))} ({n})" for m, n in sorted(models.items())) or "none"),
        f"- Redactions: {redactions}",
        f"- Ledger integrity: {integrity}",
        "",
    ]


def _modules(ledger: Ledger, written: list[_Written]) -> list[str]:
    """A section per file some generation wrote: its history, human checkpoints included."""
    writes: dict[str, list[tuple[_Written, FileRecord]]] = {}
    for item in written:
        for record in item.entry.files:
            writes.setdefault(record.path, []).append((item, record))
    generated = {
        path: history
        for path, history in writes.items()
        if any(item.entry.kind == "generation" for item, _ in history)
    }
    lines = ["## AI-generated modules", ""]
    if not generated:
        lines += ["None recorded.", ""]
    for path, history in sorted(generated.items()):
        last, record = history[-1]
        lines += [f"### {_code(path)}", "", f"Now: {_now(ledger, path, last.entry, record)}.", ""]
        lines += [_row("Entry", "Time", "Model", "Lines written", "Prompt"), _row(*["---"] * 5)]
        for item, record in history:
            entry = item.entry
            if entry.kind == "checkpoint":
                model, prompt = "human", f"(checkpoint by {_text(entry.author)})"
            else:
                model, prompt = _text(str(entry.model)), item.prompt
            lines.append(_row(_code(item.digest[:12]), entry.time, model, _lines(record), prompt))
        lines.append("")
    return lines


def _generations(ledger: Ledger, generations: list[_Written]) -> list[str]:
    lines = ["## Generations", ""]
    if not generations:
        lines += ["None recorded.", ""]
    for number, generation in enumerate(generations, 1):
        entry = generation.entry
        files = "; ".join(f"{_code(r.path)}: {_lines(r)}" for r in entry.files) or "none"
        checks = "none recorded" if entry.results is None else _results(ledger, entry.results)
        parents = ", ".join(_code(p) for p in sorted(entry.parents)) or "none"
        lines += [
            f"### {number}. Entry {_code(generation.digest[:12])}",
            "",
            f"- Entry: {_code(ledger.entry_where(generation.digest))}",
            f"- Time: {entry.time}",
            f"- Recorded by: {_text(entry.author)}, with {_text(entry.tool)}",
            f"- Model: {_text(str(entry.model))}",
            f"- Prompt: {generation.prompt} (sha256 {_code(str(entry.prompt))})",
            f"- Response: sha256 {_code(str(entry.response))}"
            + ("" if ledger.blob_path(str(entry.response)).exists() else " (redacted)"),
            f"- Files: {files}",
            f"- Checks: {checks}",
            f"- Parents: {parents}",
            "",
        ]
    return lines


def _checkpoints(checkpoints: list[Entry]) -> list[str]:
    if not checkpoints:
        return []
    lines = [
        "## Human checkpoints",
        "",
        "Files as people left them before a generation was recorded: the lines listed were "
        "changed by hand, not by a model.",
        "",
        _row("Entry", "Time", "Author", "Files"),
        _row(*["---"] * 4),
    ]
    for entry in checkpoints:
        files = "; ".join(f"{_code(r.path)}: {_lines(r)}" for r in entry.files)
        lines.append(_row(_code(entry.hash[:12]), entry.time, _text(entry.author), files))
    return [*lines, ""]


def _redactions(redactions: list[Entry]) -> list[str]:
    if not redactions:
        return []
    lines = ["## Redactions", "", _row("Entry", "Time", "Author", "Blob", "Reason")]
    lines.append(_row(*["---"] * 5))
    for entry in redactions:
        cells = (entry.time, _text(entry.author), _code(str(entry.blob)), _text(str(entry.reason)))
        lines.append(_row(_code(entry.hash[:12]), *cells))
    return [*lines, ""]


def _prompt(ledger: Ledger, entry: Entry) -> str:
    if entry.prompt is None:  # a checkpoint: no prompt
        return ""
    line = first_line(ledger, entry.prompt)
    if line is None:
        return "(redacted)"
    if len(line) > _PROMPT_WIDTH:
        line = line[: _PROMPT_WIDTH - 1] + "…"
    return _text(line) or "(empty)"


def _results(ledger: Ledger, digest: str) -> str:
    return f"{_text(Results.read(ledger, digest).describe())} (sha256 {_code(digest)})"


def _now(ledger: Ledger, path: str, entry: Entry, last: FileRecord) -> str:
    """The file in the working tree against its last record, ``last`` in ``entry``."""
    noun = "human checkpoint" if entry.kind == "checkpoint" else "recorded generation"
    current = ledger.repo / path
    if not current.is_file():
        return f"deleted since its last {noun}"
    if sha256(current.read_bytes()) == last.sha256:
        return f"as its last {noun} left it"
    return f"changed since its last {noun} (by hand, or by an unrecorded generation)"


def _lines(record: FileRecord) -> str:
    if record.lines is None:
        return "binary, no line attribution"
    if not record.lines:
        return "none (unchanged)"
    spans = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in record.lines)
    count = sum(b - a + 1 for a, b in record.lines)
    return f"{spans} ({count} line{'s' * (count != 1)})"


def _text(text: str) -> str:
    """``text`` with the characters markdown would act on escaped."""
    return re.sub(r"([\\`*_\[\]<>&~])", r"\\\1", text)


def _code(text: str) -> str:
    """``text`` as a code span, fenced by more backticks than it holds in a row."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(*cells: str) -> str:
    # A pipe ends a table cell even inside a code span, unless escaped.
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
