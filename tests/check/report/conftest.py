"""Fixture rules and results for the reporter tests (the real registry may be empty).

Everything is handed out as a fixture, so the tests import nothing from here and
work under any pytest import mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from stormproof.check.finding import Finding
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule


class NoTimeout(Rule):
    id = "SP101"
    name = "remote-call-without-timeout"
    category = "timeout"
    severity = "error"
    summary = "A remote call with no timeout."
    why = """
        requests waits forever by default; one hung dependency
        hangs every caller up the chain.
        """
    bad = """
        import requests

        requests.post(url, json=body)
        """
    good = """
        import requests

        requests.post(url, json=body, timeout=5)
        """
    defaults = "requests: no timeout at all."
    fix = "pass timeout=… (seconds) or use stormproof.kit.Client"


class UnboundedRetry(Rule):
    id = "SP201"
    name = "unbounded-retry"
    category = "retry"
    severity = "warning"
    summary = "A retry loop with no bound."
    why = "A loop that retries forever turns a short outage into a retry storm."
    bad = "while True:\n    try:\n        call()\n    except Exception:\n        pass\n"
    good = "for attempt in range(5):\n    call()\n"
    fix = "bound the attempts"


FIXTURE_RULES: tuple[type[Rule], ...] = (NoTimeout, UnboundedRetry)

APP_SOURCE = """\
import requests


def book(trip):
    body = {"trip": trip}
    r = requests.post(PAYMENTS, json=body)
    return r.json()
"""


MakeFinding = Callable[..., Finding]


def _make_finding(rule: type[Rule] = NoTimeout, **overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule": rule.id,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity,
        "path": "booking/app.py",
        "line": 6,
        "column": 9,
        "end_line": 6,
        "end_column": 43,
        "service": "booking",
        "message": "requests.post to payments has no timeout",
        "fix": rule.fix,
    }
    fields.update(overrides)
    return Finding(**fields)


@pytest.fixture
def make_finding() -> MakeFinding:
    """`make_finding(rule=SP101 fixture, **field overrides)`: a finding on booking/app.py:6."""
    return _make_finding


@pytest.fixture
def timeout_rule() -> type[Rule]:
    return NoTimeout


@pytest.fixture
def retry_rule() -> type[Rule]:
    return UnboundedRetry


@pytest.fixture
def fixture_rules() -> tuple[type[Rule], ...]:
    return FIXTURE_RULES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A checked tree: booking/app.py holds APP_SOURCE."""
    (tmp_path / "booking").mkdir()
    (tmp_path / "booking" / "app.py").write_text(APP_SOURCE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def full_result(project: Path) -> CheckResult:
    """Two findings (out of order), one suppressed, one diagnostic."""
    retry = _make_finding(
        UnboundedRetry,
        path="booking/app.py",
        line=4,
        column=1,
        end_line=7,
        end_column=20,
        message="retry loop never gives up",
    )
    silenced = replace(_make_finding(line=7, column=12), message="silenced").silenced(
        "payments is local"
    )
    return CheckResult(
        root=project,
        findings=[_make_finding(), retry],
        suppressed=[silenced],
        diagnostics=[Diagnostic("gateway/bad.py", "invalid syntax", line=3, column=5)],
        files=14,
        rules=list(FIXTURE_RULES),
    )
