"""Every rule's page is complete, and its examples are real Python (or manifest YAML)."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from stormproof.check.rules import ALL_RULES, Rule

FIELDS = ("summary", "why", "bad", "good", "defaults", "fix")


def parses(example: str, rule: type[Rule]) -> bool:
    source = textwrap.dedent(example)
    try:
        compile(source, rule.id, "exec")
        return True
    except SyntaxError:
        # Manifest rules show stormproof.yaml.
        return isinstance(yaml.safe_load(source), dict)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_page_is_complete_and_its_examples_parse(rule: type[Rule]) -> None:
    page = rule.page()
    assert [key for key in FIELDS if not page[key].strip()] == []
    assert parses(page["bad"], rule) and parses(page["good"], rule)
    assert page["bad"] != page["good"]
