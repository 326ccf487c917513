"""The README is the front door: keep its promises true."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from stormproof.check.rules import ALL_RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_one_sh_block_of_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    language, body = blocks[0]
    commands = [line for line in body.splitlines() if line.strip()]
    assert language == "sh" and commands == ["make demo", "make test"]


def test_the_rule_table_lists_every_rule_as_registered() -> None:
    rows = re.findall(r"^\| (SP\d+) \| ([a-z-]+) \| ([a-z-]+) \| (error|warning) \|$", README, re.M)
    assert rows == [(r.id, r.name, r.category, r.severity) for r in ALL_RULES]


def test_every_python_example_in_the_readme_is_valid_python() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) >= 2  # the library example and the workload example
    for block in blocks:
        ast.parse(block)
