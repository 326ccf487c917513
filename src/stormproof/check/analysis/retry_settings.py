"""Reading how tenacity, backoff, retrying and urllib3 retries are configured."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from stormproof.check.analysis.remote_calls import UNSAFE_METHODS
from stormproof.check.analysis.retry_model import Pacing
from stormproof.check.context import FileContext

# tenacity wait strategies, by what they do to the delay.
_CONSTANT, _JITTER, _EXPONENTIAL, _GROWING, _JITTERED_GROWTH = (
    "constant",
    "jitter",
    "exponential",
    "growing",
    "jittered growth",
)
_TENACITY_WAITS = {
    "wait_fixed": _CONSTANT,
    "wait_none": _CONSTANT,
    "wait_random": _JITTER,
    "wait_exponential": _EXPONENTIAL,
    "wait_incrementing": _GROWING,
    "wait_random_exponential": _JITTERED_GROWTH,
    "wait_full_jitter": _JITTERED_GROWTH,
    "wait_exponential_jitter": _JITTERED_GROWTH,
}

UNSET = ast.Constant(value=...)


def keywords_of(call: ast.Call | None) -> dict[str, ast.expr]:
    if call is None:
        return {}
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def _has_star_kwargs(call: ast.Call | None) -> bool:
    return call is not None and any(k.arg is None for k in call.keywords)


def is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def is_zero(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value in (0, 0.0) and expr.value is not False


def int_keyword(call: ast.Call | None, name: str) -> int | None:
    value = keywords_of(call).get(name)
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return value.value
    return None


def tenacity_settings(ctx: FileContext, call: ast.Call | None) -> tuple[bool | None, Pacing]:
    """(bounded, pacing) of a tenacity `retry`/`Retrying` call; `None` call is a bare `@retry`."""
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = keywords_of(call)
    stop = keywords.get("stop")
    bounded = stop is not None and not is_none(stop) and not _is_stop_never(ctx, stop)
    wait = keywords.get("wait")
    if wait is None or is_none(wait):
        return bounded, Pacing.NONE
    components = _wait_components(ctx, wait, depth=0)
    return bounded, _wait_pacing(components)


def _is_stop_never(ctx: FileContext, stop: ast.expr) -> bool:
    return _tenacity_name(ctx.qualname(stop)) == "stop_never"


def _tenacity_name(qualname: str | None) -> str | None:
    if qualname is None or not qualname.startswith("tenacity."):
        return None
    return qualname.rsplit(".", 1)[-1]


def _wait_components(ctx: FileContext, expr: ast.expr, depth: int) -> list[str | None]:
    """What each `+`-joined part of a tenacity `wait=` does (None: not recognised)."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _wait_components(ctx, expr.left, depth) + _wait_components(ctx, expr.right, depth)
    if isinstance(expr, ast.Call):
        return [_TENACITY_WAITS.get(_tenacity_name(ctx.qualname(expr.func)) or "")]
    if isinstance(expr, ast.Name) and depth < 3 and ctx.qualname(expr) is None:
        value = ctx.values.assigned(expr, expr)
        if value is not None:
            return _wait_components(ctx, value, depth + 1)
    return [None]


def _wait_pacing(components: Sequence[str | None]) -> Pacing:
    if None in components:
        return Pacing.UNKNOWN
    if not any(c in (_EXPONENTIAL, _GROWING, _JITTERED_GROWTH) for c in components):
        return Pacing.CONSTANT
    jittered = any(c in (_JITTER, _JITTERED_GROWTH) for c in components)
    if _EXPONENTIAL in components and not jittered:
        return Pacing.EXPONENTIAL
    return Pacing.BACKOFF


def tenacity_attempts(ctx: FileContext, call: ast.Call | None) -> int | None:
    stop = keywords_of(call).get("stop")
    if (
        isinstance(stop, ast.Call)
        and _tenacity_name(ctx.qualname(stop.func)) == "stop_after_attempt"
        and stop.args
        and isinstance(stop.args[0], ast.Constant)
        and type(stop.args[0].value) is int
    ):
        return stop.args[0].value
    return None


def backoff_settings(ctx: FileContext, call: ast.Call) -> tuple[bool | None, Pacing]:
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = keywords_of(call)
    limits = [keywords.get("max_tries"), keywords.get("max_time")]
    bounded = any(limit is not None and not is_none(limit) for limit in limits)
    wait_gen = call.args[0] if call.args else keywords.get("wait_gen")
    generator = ctx.qualname(wait_gen) if wait_gen is not None else None
    if generator == "backoff.constant":
        return bounded, Pacing.CONSTANT
    if generator == "backoff.expo":
        jitter_off = is_none(keywords.get("jitter", UNSET))
        return bounded, Pacing.EXPONENTIAL if jitter_off else Pacing.BACKOFF
    if generator == "backoff.fibo":
        return bounded, Pacing.BACKOFF
    return bounded, Pacing.UNKNOWN


def retrying_settings(call: ast.Call | None) -> tuple[bool | None, Pacing]:
    """(bounded, pacing) of the `retrying` library's `@retry(...)` (None: bare `@retry`)."""
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = keywords_of(call)
    stops = ("stop_max_attempt_number", "stop_max_delay", "stop", "stop_func")
    bounded = any(k in keywords and not is_none(keywords[k]) for k in stops)
    waits = {k for k in keywords if k.startswith("wait")}
    if "wait_func" in waits:
        return bounded, Pacing.UNKNOWN
    if waits & {"wait_exponential_multiplier", "wait_exponential_max"}:
        jittered = "wait_jitter_max" in keywords
        return bounded, Pacing.BACKOFF if jittered else Pacing.EXPONENTIAL
    if waits & {"wait_incrementing_start", "wait_incrementing_increment"}:
        return bounded, Pacing.BACKOFF
    # wait_fixed, wait_random_min/max: the delay does not grow.
    return bounded, Pacing.CONSTANT if waits else Pacing.NONE


def urllib3_total(call: ast.Call) -> int | None:
    """`total` of a urllib3 Retry: its attempts after the first (10 by default)."""
    total = call.args[0] if call.args else keywords_of(call).get("total")
    if total is None:
        return 10
    if isinstance(total, ast.Constant) and type(total.value) is int:
        return total.value
    return None


def resent_methods(retry: ast.Call) -> frozenset[str]:
    """Unsafe methods a urllib3 Retry explicitly allows to be re-sent."""
    keywords = keywords_of(retry)
    methods = keywords.get("allowed_methods", keywords.get("method_whitelist"))
    if methods is None:
        return frozenset()
    if isinstance(methods, ast.Constant) and methods.value in (None, False):
        return UNSAFE_METHODS  # every method is retried
    listed = {
        node.value.upper()
        for node in ast.walk(methods)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return frozenset(listed & UNSAFE_METHODS)
