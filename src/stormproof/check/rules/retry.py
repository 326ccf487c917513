"""Rules of the `retry` category: retries that never stop, hammer, synchronise or multiply."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from stormproof.check.analysis.idempotency_keys import carries_idempotency_key
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.retries import (
    Pacing,
    RetryConstruct,
    client_retry,
    retried_calls,
    retry_constructs,
    retry_settings,
    retrying_callee,
)
from stormproof.check.context import FileContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

if TYPE_CHECKING:
    from stormproof.manifest.model import RetryPolicy

CODE_RETRIES = ("loop", "tenacity", "backoff", "retrying", "stamina")


def _where(construct: RetryConstruct) -> ast.AST:
    """Where a construct's finding points: a loop's header only, or the configuring call."""
    node = construct.node
    if isinstance(node, ast.While):
        end: ast.AST = node.test
    elif isinstance(node, ast.For | ast.AsyncFor):
        end = node.iter
    else:
        return node
    # A node spanning `while <test>` / `for <target> in <iter>`, not the whole loop body.
    return ast.Pass(
        lineno=node.lineno,
        col_offset=node.col_offset,
        end_lineno=end.end_lineno,
        end_col_offset=end.end_col_offset,
    )


def _written_at(ctx: FileContext, construct: RetryConstruct) -> ast.AST:
    """Where a construct is applied: for a policy bound to a name (`@retry_reads`), the
    decorator on this function rather than the shared configuring call."""
    function = construct.function
    if construct.decorates and function is not None:
        for decorator in function.decorator_list:
            if decorator is construct.node or (
                isinstance(decorator, ast.Name)
                and ctx.values.assigned(decorator, decorator) is construct.node
            ):
                return decorator
    return _where(construct)


def _retried(ctx: FileContext, construct: RetryConstruct) -> list[RemoteCall]:
    inside = {id(n) for n in ctx.run_nodes(construct.body)}
    return [c for c in ctx.remote_calls if id(c.node) in inside]


def _what(ctx: FileContext, construct: RetryConstruct) -> str:
    """What a construct retries: `requests.get to inventory`, or `its calls`."""
    calls = _retried(ctx, construct)
    return calls[0].describe() if calls else "its calls"


def _upstream(ctx: FileContext, construct: RetryConstruct) -> str:
    targets = [c.target for c in _retried(ctx, construct) if c.target]
    return targets[0] if targets else "the upstream"


def _policy(ctx: FileContext) -> RetryPolicy | None:
    if ctx.manifest is None:
        return None
    retries = ctx.manifest.policies.retries
    return None if isinstance(retries, str) else retries  # "off", or the policy


class UnboundedRetry(Rule):
    id = "SP201"
    name = "unbounded-retry"
    category = "retry"
    severity = "error"
    policy = "retries"
    summary = (
        "A retry with no attempt or time limit: a `while True` retry loop, tenacity without stop=."
    )
    why = (
        "A retry that never gives up turns an outage into a permanent one. While the upstream "
        "is down, every caller keeps retrying forever: requests pile up behind it, the caller's "
        "own clients time out, and when the upstream comes back it is flattened by the "
        "accumulated retry traffic. The failure never surfaces, so nothing alerts, no fallback "
        "runs, and the error that would explain it is never raised."
    )
    bad = """\
import os

import httpx
from tenacity import retry, wait_random_exponential

FX_URL = os.environ["FX_URL"]

@retry(wait=wait_random_exponential(max=30))
def fetch_rates() -> dict:
    resp = httpx.get(f"{FX_URL}/rates", timeout=5)
    resp.raise_for_status()
    return resp.json()
"""
    good = """\
import os

import httpx
from tenacity import retry, stop_after_attempt, stop_after_delay, wait_random_exponential

FX_URL = os.environ["FX_URL"]

@retry(stop=stop_after_attempt(5) | stop_after_delay(30), wait=wait_random_exponential(max=30))
def fetch_rates() -> dict:
    resp = httpx.get(f"{FX_URL}/rates", timeout=5)
    resp.raise_for_status()
    return resp.json()
"""
    defaults = (
        "tenacity retries forever unless `stop=` is given. backoff retries forever unless "
        "`max_tries=` or `max_time=` is given; so does the older retrying library without "
        "`stop_max_attempt_number=`/`stop_max_delay=`. stamina stops after 10 attempts or 45 s. A "
        "`while True:` or `itertools.count()` loop stops only where the code says so."
    )
    fix = "bound it: stop=stop_after_attempt(N) | stop_after_delay(S), max_tries=N, or a counter"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        for construct in retry_settings(ctx):
            if construct.kind in CODE_RETRIES and construct.bounded is False:
                message = (
                    f"{construct.label} {self._reason(construct)}, so it retries "
                    f"{_what(ctx, construct)} forever; while {_upstream(ctx, construct)} is down "
                    "the failure never surfaces and the retries pile load onto it"
                )
                yield ctx.finding(self, _where(construct), message)

    @staticmethod
    def _reason(construct: RetryConstruct) -> str:
        if construct.kind == "tenacity":
            return "has no stop= (tenacity's default is to never stop)"
        if construct.kind == "backoff":
            return "sets neither max_tries nor max_time"
        if construct.kind == "retrying":
            return "has no stop_max_attempt_number or stop_max_delay (retrying never stops)"
        if construct.kind == "stamina":
            return "switches off both attempts and timeout"
        return "has no attempt or time limit"


class RetryWithoutBackoff(Rule):
    id = "SP202"
    name = "retry-without-backoff"
    category = "retry"
    severity = "warning"
    policy = "retries"
    summary = "A retry that waits a constant time, or not at all, between attempts."
    why = (
        "A service that fails under load needs the load to drop before it can recover. Retries "
        "at a fixed rate (or immediately) do the opposite: every failed request comes back at "
        "once, multiplying traffic exactly when the service is weakest, and every caller keeps "
        "that pressure up for as long as the outage lasts. Exponential backoff spaces attempts "
        "further apart each time, so load falls off while the service is struggling."
    )
    bad = """\
import httpx
from tenacity import retry, stop_after_attempt

client = httpx.Client(base_url="http://profiles:8000", timeout=5.0)

@retry(stop=stop_after_attempt(3))  # no wait=: retries immediately
def get_profile(user_id: str) -> dict:
    resp = client.get(f"/profiles/{user_id}")
    resp.raise_for_status()
    return resp.json()
"""
    good = """\
import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

client = httpx.Client(base_url="http://profiles:8000", timeout=5.0)

@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(multiplier=0.5, max=10))
def get_profile(user_id: str) -> dict:
    resp = client.get(f"/profiles/{user_id}")
    resp.raise_for_status()
    return resp.json()
"""
    defaults = (
        "tenacity waits nothing between attempts unless `wait=` is given; `wait_fixed` and "
        "`wait_random` do not grow (nor do retrying's `wait_fixed`/`wait_random_*`). "
        "backoff.constant waits the same interval every time. A loop "
        "that sleeps `time.sleep(1)` (or not at all) retries at a constant rate."
    )
    fix = "back off exponentially with jitter: wait=wait_random_exponential(...), backoff.expo"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        policy = _policy(ctx)
        constant_allowed = policy is not None and policy.backoff == "constant"
        for construct in retry_settings(ctx):
            if construct.kind not in ("loop", "tenacity", "backoff", "retrying"):
                continue
            if construct.pacing is Pacing.NONE or (
                construct.pacing is Pacing.CONSTANT and not constant_allowed
            ):
                message = (
                    f"{construct.label} {self._reason(construct)}; while "
                    f"{_upstream(ctx, construct)} struggles, every retry hits it at full rate and "
                    "leaves it no room to recover"
                )
                yield ctx.finding(self, _where(construct), message)

    @staticmethod
    def _reason(construct: RetryConstruct) -> str:
        immediate = construct.pacing is Pacing.NONE
        if construct.kind == "tenacity" and immediate:
            return "has no wait= (tenacity retries immediately by default)"
        if construct.kind == "retrying" and immediate:
            return "sets no wait (retrying retries immediately by default)"
        if construct.kind in ("tenacity", "retrying"):
            return "waits a fixed time between attempts"
        if construct.kind == "backoff":
            return "uses backoff.constant, a fixed interval between attempts"
        if immediate:
            return "retries immediately, with no sleep between attempts"
        return "sleeps the same time before every attempt"


class BackoffWithoutJitter(Rule):
    id = "SP203"
    name = "backoff-without-jitter"
    category = "retry"
    severity = "warning"
    policy = "retries"
    summary = "Exponential backoff with no random jitter: clients retry in lockstep."
    why = (
        "When a dependency fails, all its callers fail at the same moment. With plain "
        "exponential backoff they then wait exactly 1, 2, 4, 8 s and retry at the same moments "
        "too: each retry wave hits the recovering service as one synchronized spike. Adding "
        "randomness (full jitter: sleep a random time up to the backoff) spreads the retries "
        "out, which is what lets the service come back."
    )
    bad = """\
import httpx
from tenacity import retry, stop_after_attempt, wait_exponential

inventory = httpx.Client(base_url="http://inventory:8000", timeout=5.0)

@retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=0.5, max=10))
def check_stock(sku: str) -> int:
    return inventory.get(f"/stock/{sku}").json()["available"]
"""
    good = """\
import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

inventory = httpx.Client(base_url="http://inventory:8000", timeout=5.0)

@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(multiplier=0.5, max=10))
def check_stock(sku: str) -> int:
    return inventory.get(f"/stock/{sku}").json()["available"]
"""
    defaults = (
        "tenacity `wait_exponential` has no jitter (use `wait_random_exponential`, "
        "`wait_exponential_jitter`, or add `+ wait_random(0, 1)`). backoff.expo jitters unless "
        "`jitter=None`. urllib3 `Retry(backoff_factor=…)` has no jitter unless `backoff_jitter=` "
        "is set (urllib3 2). A loop sleeping `base * 2 ** attempt` has none."
    )
    fix = (
        "add jitter: wait_random_exponential(...), or sleep random.uniform(0, base * 2 ** attempt)"
    )

    _FIXES = {
        "tenacity": "use wait_random_exponential(...) or wait_exponential(...) + wait_random(0, 1)",
        "backoff": "drop jitter=None (backoff's default full_jitter randomises the delay)",
        "retrying": "add wait_jitter_max=… (milliseconds of random extra delay)",
        "urllib3": "pass backoff_jitter=… (seconds of random extra delay, urllib3 2.0+)",
        "loop": "sleep random.uniform(0, base * 2 ** attempt) (full jitter) instead",
    }

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        policy = _policy(ctx)
        if policy is not None and policy.jitter == "off":
            return
        for construct in retry_settings(ctx):
            if construct.pacing is not Pacing.EXPONENTIAL:
                continue
            target = _upstream(ctx, construct)
            message = (
                f"{construct.label} backs off exponentially with no jitter; callers that failed "
                f"together retry together, in waves that hit {target} at the same moments"
            )
            yield ctx.finding(self, _where(construct), message, fix=self._FIXES[construct.kind])


class RetriedUnsafeCallWithoutIdempotencyKey(Rule):
    id = "SP204"
    name = "retried-unsafe-call-without-idempotency-key"
    category = "retry"
    severity = "error"
    policy = "idempotency"
    summary = "A POST/PUT/PATCH/DELETE call that is retried but carries no idempotency key."
    why = (
        "A request can fail after the server has applied it: the response is lost to a "
        "timeout, a reset connection or a crashed proxy. Retrying it then applies it again: a "
        "second charge, a duplicate order, a double transfer. An idempotency key (one value, "
        "created before the first attempt and sent with every attempt) lets the server "
        "recognise the repeat and return the first result instead of acting twice."
    )
    bad = """\
import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

payments = httpx.Client(base_url="http://payments:8000", timeout=10.0)

@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def charge(booking_id: str, amount_cents: int) -> str:
    resp = payments.post("/charges", json={"booking": booking_id, "amount": amount_cents})
    resp.raise_for_status()
    return resp.json()["charge_id"]
"""
    good = """\
import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

payments = httpx.Client(base_url="http://payments:8000", timeout=10.0)

@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def charge(booking_id: str, amount_cents: int, idempotency_key: str) -> str:
    resp = payments.post(
        "/charges",
        json={"booking": booking_id, "amount": amount_cents},
        headers={"Idempotency-Key": idempotency_key},  # the same key on every attempt
    )
    resp.raise_for_status()
    return resp.json()["charge_id"]
"""
    defaults = (
        "No HTTP client adds an idempotency key by itself. tenacity, backoff and stamina "
        "re-run the whole function, so a key created inside it changes on every attempt: "
        "create it before the retry. urllib3 re-sends POST only when `allowed_methods` says so."
    )
    fix = "send an Idempotency-Key header created once per operation, before the first attempt"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        retried = retried_calls(ctx)
        for call in ctx.remote_calls:
            construct = retried.get(call.node)
            if (
                construct is None
                or not call.unsafe
                or call.library == "stormproof.kit"
                or carries_idempotency_key(ctx, call)
            ):
                continue
            target = call.target or "the server"
            message = (
                f"{call.describe()} is retried by {construct.label} (line {construct.line}) "
                f"without an idempotency key; if a response is lost after {target} applied "
                f"the {call.method}, the retry applies it twice"
            )
            yield ctx.finding(self, call.node, message)


class StackedRetries(Rule):
    id = "SP205"
    name = "stacked-retries"
    category = "retry"
    severity = "warning"
    policy = "retries"
    summary = "A retry around something that already retries: attempts multiply."
    why = (
        "Retries nest multiplicatively: a 3-attempt retry around a client that makes 3 "
        "attempts sends up to 9 requests for one call, and each layer above multiplies again. "
        "During an outage that turns into a retry storm against the failing service, and the "
        "caller's latency budget is spent several times over before it gives up. Retry in "
        "exactly one layer."
    )
    bad = """\
import os

import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_random_exponential
from urllib3.util import Retry

IMAGES_URL = os.environ["IMAGES_URL"]
retries = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.3)
session = requests.Session()
session.mount("https://", HTTPAdapter(max_retries=retries))

@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def image_meta(image_id: str) -> dict:
    return session.get(f"{IMAGES_URL}/images/{image_id}", timeout=5).json()
"""
    good = """\
import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

if TYPE_CHECKING:
    from stormproof.manifest.model import RetryPolicy

IMAGES_URL = os.environ["IMAGES_URL"]
retries = Retry(total=3, backoff_factor=0.5, backoff_jitter=0.3)
session = requests.Session()
session.mount("https://", HTTPAdapter(max_retries=retries))

def image_meta(image_id: str) -> dict:
    # The session's adapter is the only retry layer.
    return session.get(f"{IMAGES_URL}/images/{image_id}", timeout=5).json()
"""
    defaults = (
        "requests retries inside the session when its HTTPAdapter has `max_retries`; httpx when "
        "its transport has `retries=`; stormproof.kit.Client always retries; a function "
        "decorated with tenacity/backoff/stamina retries every time it is called."
    )
    fix = "retry in one layer only: drop the outer retry or the inner one"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        constructs = retry_constructs(ctx)
        if not constructs:
            return
        remote = {c.node: c for c in ctx.remote_calls}
        for construct in constructs:
            # The construct is the finding (the spec's "retry construct whose body calls
            # something that retries again"); its first such call names what it stacks on.
            stacked = [
                (node, inner)
                for node in ctx.run_nodes(construct.body)
                if isinstance(node, ast.Call)
                and (inner := self._inner_retry(ctx, construct, node, remote.get(node)))
            ]
            if not stacked:
                continue
            node, (what, label, attempts) = min(
                stacked, key=lambda item: (item[0].lineno, item[0].col_offset)
            )
            yield ctx.finding(
                self,
                _written_at(ctx, construct),
                f"{construct.label} retries {what} (line {node.lineno}), which already retries "
                f"by itself ({label}); {_multiplied(construct.attempts, attempts)}",
            )

    @staticmethod
    def _inner_retry(
        ctx: FileContext, outer: RetryConstruct, node: ast.Call, call: RemoteCall | None
    ) -> tuple[str, str, int | None] | None:
        """(what is called, how it retries, its attempts) when the call retries by itself."""
        if call is not None:
            client = client_retry(ctx, call)
            if client is not None:
                return call.describe(), client.label, client.attempts
        callee = retrying_callee(ctx, node)
        if callee is None or callee.function is None or callee.function is outer.function:
            return None
        return f"{callee.function.name}()", callee.label, callee.attempts


def _multiplied(outer: int | None, inner: int | None) -> str:
    if outer is None or inner is None:
        return "attempts multiply (outer attempts x inner attempts requests per call)"
    return f"attempts multiply: up to {outer} x {inner} = {outer * inner} requests per call"


RULES: list[type[Rule]] = [
    UnboundedRetry,
    RetryWithoutBackoff,
    BackoffWithoutJitter,
    RetriedUnsafeCallWithoutIdempotencyKey,
    StackedRetries,
]
