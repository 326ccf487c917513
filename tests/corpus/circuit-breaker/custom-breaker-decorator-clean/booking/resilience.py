"""A decorator that runs a function through the named service's breaker."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pybreaker

P = ParamSpec("P")
R = TypeVar("R")

_breakers: dict[str, pybreaker.CircuitBreaker] = {}


def with_breaker(service: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    breaker = _breakers.setdefault(
        service, pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name=service)
    )

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return breaker.call(fn, *args, **kwargs)

        return wrapper

    return decorate
