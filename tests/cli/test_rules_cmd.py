from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from stormproof.check.report.rule_page import rule_markdown
from stormproof.check.rule import Rule
from stormproof.check.rules import ALL_RULES, UnknownRuleError
from stormproof.cli import rules_cmd
from stormproof.cli.rules_cmd import rules


class NoBreaker(Rule):
    id = "SP301"
    name = "remote-call-without-circuit-breaker"
    category = "circuit-breaker"
    severity = "warning"
    summary = "A remote call with no circuit breaker around it."
    why = """
        When payments is down, every booking request still waits for it,
        and the retries pile up until booking falls over too.
        """
    bad = """
        def charge(order):
            return client.post(PAYMENTS_URL, json=order, timeout=2)
        """
    good = """
        breaker = CircuitBreaker(fail_max=5, reset_timeout=30)

        @breaker
        def charge(order):
            return client.post(PAYMENTS_URL, json=order, timeout=2)
        """
    fix = "wrap the call in a circuit breaker (stormproof.kit.CircuitBreaker, pybreaker)"


class NoTimeout(Rule):
    id = "SP101"
    name = "remote-call-without-timeout"
    category = "timeout"
    severity = "error"
    summary = "A remote call with no timeout."
    why = "requests waits forever by default."
    bad = "requests.get(url)"
    good = "requests.get(url, timeout=5)"
    defaults = "requests: none; urllib: the global socket default (none)."
    fix = "pass timeout="


# Registered out of order, as the engine may hand them over.
REGISTRY: tuple[type[Rule], ...] = (NoBreaker, NoTimeout)


def _lookup(registry: tuple[type[Rule], ...], key: str) -> type[Rule]:
    for rule in registry:
        if key.upper() == rule.id or key.lower() == rule.name:
            return rule
    raise UnknownRuleError(f"unknown rule {key!r}; `stormproof rules` lists them")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> tuple[type[Rule], ...]:
    monkeypatch.setattr(rules_cmd, "ALL_RULES", REGISTRY)
    monkeypatch.setattr(rules_cmd, "get_rule", functools.partial(_lookup, REGISTRY))
    return REGISTRY


def invoke(*args: str) -> Result:
    return CliRunner().invoke(rules, list(args))


@pytest.mark.usefixtures("registry")
def test_table_lists_every_rule_sorted_by_id() -> None:
    result = invoke()
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("SP101", "remote-call-without-timeout", "timeout", "error", "SP301"):
        assert text in out
    assert out.index("SP101") < out.index("SP301")
    assert "A remote call with no timeout." in out


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("key", ["SP301", "sp301", "remote-call-without-circuit-breaker"])
def test_page_by_id_or_name(key: str) -> None:
    result = invoke(key)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("SP301 remote-call-without-circuit-breaker\n")
    assert "\nCategory: circuit-breaker · Severity: warning\n" in out
    headings = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix"]
    positions = [out.index(f"\n{heading}\n") for heading in headings]
    assert positions == sorted(positions)
    assert "Library defaults" not in out
    # Code keeps its own indentation under the page's.
    assert "    @breaker\n    def charge(order):\n        return client.post(" in out


@pytest.mark.usefixtures("registry")
def test_page_shows_library_defaults_when_the_rule_has_them() -> None:
    out = invoke("SP101").stdout
    assert (
        "\nLibrary defaults\n    requests: none; urllib: the global socket default (none).\n" in out
    )


@pytest.mark.usefixtures("registry")
def test_page_code_is_highlighted_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = functools.partial(Console, force_terminal=True, color_system="truecolor")
    monkeypatch.setattr(rules_cmd, "Console", terminal)
    out = invoke("SP301").stdout
    assert "\x1b[" in out
    assert "breaker" in out


@pytest.mark.usefixtures("registry")
def test_json_page_is_rule_page() -> None:
    result = invoke("SP101", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == NoTimeout.page()


@pytest.mark.usefixtures("registry")
def test_json_without_id_lists_every_page_by_id() -> None:
    pages = json.loads(invoke("--format", "json").stdout)
    assert pages == [NoTimeout.page(), NoBreaker.page()]


@pytest.mark.usefixtures("registry")
def test_markdown_is_the_shared_generator() -> None:
    assert invoke("remote-call-without-timeout", "--format", "markdown").stdout == (
        rule_markdown(NoTimeout)
    )
    everything = invoke("--format", "markdown").stdout
    assert everything == rule_markdown(NoTimeout) + "\n" + rule_markdown(NoBreaker)


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_unknown_rule_is_a_one_line_error_with_exit_2(fmt: str) -> None:
    result = invoke("SP999", "--format", fmt)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        result.stderr == "stormproof rules: unknown rule 'SP999'; `stormproof rules` lists them\n"
    )


def test_unknown_rule_through_the_real_registry() -> None:
    result = invoke("no-such-rule-name")
    assert result.exit_code == 2
    assert "unknown rule 'no-such-rule-name'" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_bad_format_is_a_usage_error() -> None:
    result = invoke("--format", "yaml")
    assert result.exit_code == 2
    assert "'yaml' is not one of" in result.stderr


def test_empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules_cmd, "ALL_RULES", ())
    assert invoke().stdout == "No rules are registered.\n"
    assert json.loads(invoke("--format", "json").stdout) == []


def test_help_has_an_example() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "stormproof rules SP101" in result.stdout
    assert "--format [text|json|markdown]" in result.stdout


def test_real_registry_lists_and_documents_every_rule() -> None:
    table = invoke()
    assert table.exit_code == 0
    pages = json.loads(invoke("--format", "json").stdout)
    assert [page["id"] for page in pages] == sorted(rule.id for rule in ALL_RULES)
    for rule in ALL_RULES:
        assert rule.id in table.stdout
        assert invoke(rule.id, "--format", "markdown").stdout == rule_markdown(rule)
