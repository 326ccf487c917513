"""A rule's documentation page, in the forms people and tools read it.

The page is built once as a list of sections; the Markdown form serves
`stormproof rules ID --format markdown` and SARIF `help.markdown`, the plain
form SARIF `help.text`, and the CLI renders the same sections with rich.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass

from stormproof.check.rule import Rule


@dataclass(frozen=True, slots=True)
class PageSection:
    title: str
    body: str
    is_code: bool = False


def rule_title(rule: type[Rule]) -> str:
    return f"{rule.id} {rule.name}"


def rule_sections(rule: type[Rule]) -> list[PageSection]:
    sections = [
        PageSection("What it does", clean_text(rule.summary)),
        PageSection("Why is this bad?", clean_text(rule.why)),
        PageSection("Example", clean_code(rule.bad), is_code=True),
        PageSection("Use instead", clean_code(rule.good), is_code=True),
    ]
    if rule.defaults.strip():
        sections.append(PageSection("Library defaults", clean_text(rule.defaults)))
    sections.append(PageSection("Fix", clean_text(rule.fix)))
    return sections


def rule_markdown(rule: type[Rule]) -> str:
    parts = [
        f"# {rule_title(rule)}",
        f"**Category:** {rule.category} · **Severity:** {rule.severity}",
    ]
    for section in rule_sections(rule):
        parts.append(f"## {section.title}")
        parts.append(_fenced(section.body) if section.is_code else section.body)
    return "\n\n".join(parts) + "\n"


def rule_plain_text(rule: type[Rule]) -> str:
    parts = [f"{rule_title(rule)}\nCategory: {rule.category} · Severity: {rule.severity}"]
    for section in rule_sections(rule):
        parts.append(f"{section.title}\n{_indent(section.body)}")
    return "\n\n".join(parts) + "\n"


def clean_text(text: str) -> str:
    """Prose from a rule attribute, without the indentation of the class body."""
    return inspect.cleandoc(text)


def clean_code(code: str) -> str:
    """An example from a rule attribute, dedented as a block.

    Not cleandoc: it dedents the lines after the first on their own, which would
    flatten an example that starts at column 0 with an indented body after it.
    """
    return textwrap.dedent(code).strip("\n")


def _fenced(code: str) -> str:
    # The fence must be longer than any run of backticks inside the example.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{code}\n{fence}"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())
