"""SP001 swallowed-remote-failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.check import Finding
from stormproof.check.rules.error_handling import RULES, SwallowedRemoteFailure
from tests.check.rules.checking import check_files

MANIFEST = """\
version: 1
name: shop
services:
  orders:
    path: orders/
    calls: [payments]
  payments:
    path: payments/
"""


def findings(
    tmp_path: Path,
    source: str,
    *,
    manifest: str | None = None,
) -> list[Finding]:
    """Check `source` as orders/app.py (with `manifest` as stormproof.yaml when given)."""
    return check_files(tmp_path, {"orders/app.py": source}, rules=RULES, manifest=manifest)


def guarded(handler: str, after: str = "    return data\n", caught: str = "Exception") -> str:
    """A function whose remote call sits in a try with `handler` as its except body."""
    return (
        "import logging, sys, requests, httpx, aiohttp\n"
        "from flask import abort\n"
        "log = logging.getLogger(__name__)\n"
        "def f(url, items=()):\n"
        "    data = None\n"
        "    try:\n"
        "        data = requests.get(url, timeout=5).json()\n"
        f"    except {caught} as exc:\n"
        f"{handler}"
        f"{after}"
    )


CALL_LINE = 7


def test_message_names_handler_call_target_and_service(tmp_path: Path) -> None:
    source = """
        import os
        import requests

        def pay():
            try:
                requests.post(os.environ["PAYMENTS_URL"] + "/charges", timeout=5)
            except Exception:
                pass
            return {"status": "paid"}
        """
    found = findings(tmp_path, source, manifest=MANIFEST)
    assert [(f.line, f.rule) for f in found] == [(7, "SP001")]
    assert found[0].message == (
        "`except Exception` (line 8) around requests.post to payments swallows its failure "
        "(the handler only passes); orders carries on as if the call had succeeded"
    )
    assert found[0].fix == SwallowedRemoteFailure.fix
    assert found[0].severity == "error"


@pytest.mark.parametrize(
    ("caught", "handler", "how"),
    [
        ("Exception", "        pass\n", "only passes"),
        ("BaseException", "        ...\n", "only passes"),
        ("requests.RequestException", "        log.warning('failed: %s', exc)\n", "only logs"),
        ("requests.exceptions.RequestException", "        print(exc)\n", "only logs"),
        ("(ValueError, Exception)", "        log.exception('x')\n", "only logs"),
        ("httpx.HTTPError", "        data = {}\n", "fills in a placeholder"),
        ("aiohttp.ClientError", "        log.error('x')\n        data = []\n", "logs it and fills"),
        ("Exception", "        failed = True\n", "fills in a placeholder"),
    ],
    ids=[
        "pass",
        "ellipsis",
        "log",
        "print",
        "tuple",
        "placeholder",
        "log-placeholder",
        "unread-flag",
    ],
)
def test_swallowing_handlers(tmp_path: Path, caught: str, handler: str, how: str) -> None:
    found = findings(tmp_path, guarded(handler, caught=caught))
    assert [f.line for f in found] == [CALL_LINE]
    assert how in found[0].message


def test_bare_except_is_broad(tmp_path: Path) -> None:
    source = guarded("        pass\n").replace("except Exception as exc:", "except:")
    found = findings(tmp_path, source)
    assert [f.line for f in found] == [CALL_LINE]
    assert found[0].message.startswith("`except:` (line 8) around requests.get")


@pytest.mark.parametrize(
    ("handler", "after"),
    [
        ("        raise\n", "    return data\n"),
        ("        raise RuntimeError('down') from exc\n", "    return data\n"),
        ("        if isinstance(exc, ValueError):\n            raise\n", "    return data\n"),
        ("        return None\n", "    return data\n"),
        ("        abort(502)\n", "    return data\n"),
        ("        sys.exit(1)\n", "    return data\n"),
        ("        ok = False\n", "    if not ok:\n        return None\n    return data\n"),
        ("        error = exc\n", "    return data, error\n"),
        ("        errors = [str(exc)]\n", "    return errors or data\n"),
        (
            "        log.warning('x')\n",
            "    if data is None:\n        raise LookupError\n    return data\n",
        ),
        ("        data = {}\n", "    return data if data else None\n"),
        ("        self.healthy = False\n", "    return data\n"),
        ("        order.status = 'payment_failed'\n", "    return data\n"),
        ("        db.rollback()\n        log.error('x')\n", "    return data\n"),
        ("        errors.append(exc)\n", "    return data\n"),
        ("        yield {'error': str(exc)}\n", "    yield data\n"),
    ],
    ids=[
        "reraise",
        "raise-domain",
        "conditional-raise",
        "return",
        "abort",
        "exit",
        "flag",
        "exception-kept",
        "error-list",
        "result-checked",
        "placeholder-checked",
        "self-state",
        "object-state",
        "other-call",
        "recorded-in-container",
        "error-event",
    ],
)
def test_handled_failures(tmp_path: Path, handler: str, after: str) -> None:
    assert findings(tmp_path, guarded(handler, after)) == []


def test_a_global_flag_is_state_other_code_reads(tmp_path: Path) -> None:
    source = guarded("        healthy = False\n", "    return data\n").replace(
        "    data = None\n", "    global healthy\n    data = None\n"
    )
    assert findings(tmp_path, source) == []


def test_reporting_under_a_condition_is_still_a_swallow(tmp_path: Path) -> None:
    source = guarded("        if DEBUG:\n            print(exc)\n        else:\n            pass\n")
    assert [f.line for f in findings(tmp_path, source)] == [CALL_LINE]


def test_a_placeholder_used_through_its_attributes_is_not_checked(tmp_path: Path) -> None:
    source = guarded("        data = {}\n", "    if data['price'] > 0:\n        return data\n")
    assert [f.line for f in findings(tmp_path, source)] == [CALL_LINE]


@pytest.mark.parametrize(
    "caught",
    [
        "requests.Timeout",
        "(requests.ConnectionError, requests.Timeout)",
        "httpx.RequestError",
        "KeyError",
    ],
)
def test_narrow_handlers_are_not_judged(tmp_path: Path, caught: str) -> None:
    assert findings(tmp_path, guarded("        pass\n", caught=caught)) == []


@pytest.mark.parametrize(
    "source",
    [
        # A failure skips one item of a batch (`continue`, or nothing after the try).
        "import requests\ndef f(items):\n    for item in items:\n        try:\n"
        "            requests.post('http://a/x', json=item, timeout=5)\n"
        "        except Exception:\n            continue\n        item.done = True\n",
        "import requests, time\ndef f():\n    while True:\n        try:\n"
        "            requests.get('http://a/job', timeout=5)\n"
        "        except Exception:\n            pass\n        time.sleep(5)\n",
        # A retry loop: falling through is the next attempt.
        "import requests, time\ndef f():\n    for attempt in range(3):\n        try:\n"
        "            return requests.get('http://a/x', timeout=5).json()\n"
        "        except Exception:\n            pass\n        print(attempt)\n"
        "    raise RuntimeError\n",
        # No remote call in the try body.
        "import json, requests\ndef f(raw):\n    try:\n        return json.loads(raw)\n"
        "    except Exception:\n        pass\n    requests.get('http://a/x', timeout=5)\n",
        # The call is only deferred, in a nested function.
        "import requests\ndef f():\n    try:\n"
        "        cb = lambda: requests.get('http://a', timeout=5)\n"
        "    except Exception:\n        pass\n    return cb\n",
        "import contextlib, requests\ndef f():\n    with contextlib.suppress(KeyError):\n"
        "        requests.get('http://a', timeout=5)\n",
        # The result is only used in `else:`, which runs on success alone.
        "import requests\ndef f():\n    try:\n        r = requests.get('http://a', timeout=5)\n"
        "    except Exception:\n        pass\n    else:\n        return r.json()\n",
    ],
    ids=[
        "batch-continue",
        "worker",
        "retry-loop",
        "no-remote-call",
        "deferred",
        "narrow-suppress",
        "else-block",
    ],
)
def test_look_alikes_that_are_not_swallows(tmp_path: Path, source: str) -> None:
    assert findings(tmp_path, source) == []


def test_suppress_is_a_swallow(tmp_path: Path) -> None:
    source = """
        from contextlib import suppress
        import httpx

        def f():
            with suppress(Exception):
                httpx.post("http://a/x")
            return "ok"
        """
    found = findings(tmp_path, source)
    assert [(f.line, f.column) for f in found] == [(7, 9)]
    assert "contextlib.suppress discards it" in found[0].message


def test_each_swallowing_handler_is_one_finding(tmp_path: Path) -> None:
    source = """
        import requests

        def f():
            try:
                requests.get("http://a/x", timeout=5)
                requests.post("http://a/y", timeout=5)
            except requests.Timeout:
                pass
            except Exception:
                pass
        """
    found = findings(tmp_path, source)
    assert [f.line for f in found] == [6]
    assert found[0].message.startswith("`except Exception` (line 10) around requests.get")


def test_only_calls_the_try_body_runs_are_guarded_by_it(tmp_path: Path) -> None:
    source = """
        import requests

        def f():
            try:
                callback = lambda: requests.get("http://a/later", timeout=5)
                def later():
                    return requests.get("http://a/later", timeout=5)
            except Exception:
                pass
            try:
                log_it()
            except Exception:
                requests.post("http://a/alert", timeout=5)
            try:
                try:
                    requests.get("http://a/x", timeout=5)
                except ValueError:
                    requests.get("http://a/y", timeout=5)
            except Exception:
                pass
            return callback, later
        """
    found = findings(tmp_path, source)
    assert [f.line for f in found] == [17]
    assert "(line 20) around requests.get" in found[0].message


def test_page_bad_example_is_caught_and_good_example_is_not(tmp_path: Path) -> None:
    rule = SwallowedRemoteFailure
    assert {f.rule for f in findings(tmp_path / "bad", rule.bad)} == {rule.id}
    assert findings(tmp_path / "good", rule.good) == []
