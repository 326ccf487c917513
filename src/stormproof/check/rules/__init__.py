"""The rule registry: every built-in rule, by id, name and category."""

from __future__ import annotations

from stormproof.check.rule import Rule
from stormproof.check.rules import (
    architecture,
    circuit_breaker,
    concurrency,
    consistency,
    error_handling,
    idempotency,
    retry,
    saga,
    timeout,
    tracing,
)

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (
            *error_handling.RULES,
            *timeout.RULES,
            *retry.RULES,
            *circuit_breaker.RULES,
            *idempotency.RULES,
            *saga.RULES,
            *tracing.RULES,
            *concurrency.RULES,
            *architecture.RULES,
            *consistency.RULES,
        ),
        key=lambda rule: rule.id,
    )
)
_BY_ID = {rule.id: rule for rule in ALL_RULES}
_BY_NAME = {rule.name: rule for rule in ALL_RULES}


class UnknownRuleError(ValueError):
    pass


def get_rule(key: str) -> type[Rule]:
    """A rule by id (`SP101`, any case) or name (`remote-call-without-timeout`)."""
    rule = _BY_ID.get(key.upper()) or _BY_NAME.get(key.lower())
    if rule is None:
        raise UnknownRuleError(f"unknown rule {key!r}; `stormproof rules` lists them")
    return rule


def matches(rule: type[Rule], selector: str) -> bool:
    """Whether a selector picks a rule: an id prefix (`SP1`, `SP101`), a name or a category."""
    selector = selector.strip()
    return (
        rule.id.startswith(selector.upper())
        or rule.name == selector.lower()
        or rule.category == selector.lower()
        or selector.upper() == "ALL"
    )


def select_rules(select: list[str] | None, ignore: list[str] | None) -> list[type[Rule]]:
    """The rules picked by `select` (all when empty), minus those picked by `ignore`."""
    for selector in [*(select or []), *(ignore or [])]:
        if not any(matches(rule, selector) for rule in ALL_RULES):
            raise UnknownRuleError(
                f"{selector!r} selects no rule; use an id (SP101), an id prefix (SP1), "
                "a rule name or a category"
            )
    chosen = [r for r in ALL_RULES if not select or any(matches(r, s) for s in select)]
    return [r for r in chosen if not any(matches(r, s) for s in ignore or [])]
