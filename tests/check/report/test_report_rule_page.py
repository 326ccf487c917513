from __future__ import annotations

from stormproof.check.report.rule_page import (
    rule_markdown,
    rule_plain_text,
    rule_sections,
)
from stormproof.check.rule import Rule


class Fenced(Rule):
    id = "SP999"
    name = "fenced-example"
    category = "saga"
    severity = "warning"
    summary = "Summary."
    why = "Why."
    bad = 'doc = """\n```python\nx\n```\n"""'
    good = "x = 1"
    fix = "Fix it."


def test_sections_in_ruff_order(timeout_rule: type[Rule]) -> None:
    assert [s.title for s in rule_sections(timeout_rule)] == [
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "Library defaults",
        "Fix",
    ]


def test_library_defaults_left_out_when_empty() -> None:
    assert "Library defaults" not in [s.title for s in rule_sections(Fenced)]
    assert "Library defaults" not in rule_markdown(Fenced)


def test_markdown_page(timeout_rule: type[Rule]) -> None:
    page = rule_markdown(timeout_rule)
    assert page.startswith(
        "# SP101 remote-call-without-timeout\n\n**Category:** timeout · **Severity:** error\n\n"
    )
    # Indentation from the class body is gone; code is fenced as Python.
    assert "## Example\n\n```python\nimport requests\n\nrequests.post(url, json=body)\n```" in page
    assert "## Why is this bad?\n\nrequests waits forever by default; one hung dependency\n" in page
    assert page.endswith("## Fix\n\npass timeout=… (seconds) or use stormproof.kit.Client\n")


def test_fence_outgrows_backticks_inside_the_example() -> None:
    page = rule_markdown(Fenced)
    assert "## Example\n\n````python\n" in page
    assert '\n```\n"""\n````\n' in page


def test_plain_text_page_indents_bodies(timeout_rule: type[Rule]) -> None:
    text = rule_plain_text(timeout_rule)
    assert text.startswith(
        "SP101 remote-call-without-timeout\nCategory: timeout · Severity: error\n\n"
    )
    assert (
        "Use instead\n    import requests\n\n    requests.post(url, json=body, timeout=5)" in text
    )
    assert "```" not in text


def test_code_keeps_its_nesting_whether_or_not_the_first_line_is_indented(
    timeout_rule: type[Rule], retry_rule: type[Rule]
) -> None:
    # SP201's example starts at column 0; SP101's is indented with the class body.
    assert rule_sections(retry_rule)[2].body == (
        "while True:\n    try:\n        call()\n    except Exception:\n        pass"
    )
    assert rule_sections(timeout_rule)[3].body == (
        "import requests\n\nrequests.post(url, json=body, timeout=5)"
    )
