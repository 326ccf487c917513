"""Which lines a generation added or changed: a line diff of the file against the version it
replaced. Binary files (a NUL byte, or not UTF-8) get a hash and no line attribution."""

from __future__ import annotations

from difflib import SequenceMatcher

from stormproof.ledger.entry import LineRange


def text_lines(data: bytes) -> list[str] | None:
    """The file's lines, or None for a binary file."""
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def changed_lines(old: list[str], new: list[str]) -> tuple[LineRange, ...]:
    """The 1-based inclusive ranges of ``new`` that are not lines of ``old`` carried over."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    spans: list[LineRange] = []
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert") and end > start:
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start + 1, end))
    return tuple(spans)


def carried(old: list[str], new: list[str]) -> dict[int, int]:
    """For each 0-based line of ``new`` that is a line of ``old`` carried over, its index
    in ``old``."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            mapping[block.b + offset] = block.a + offset
    return mapping
