"""Per-service breakers, created on first use."""

import pybreaker

_breakers: dict[str, pybreaker.CircuitBreaker] = {}


def get_breaker(service: str) -> pybreaker.CircuitBreaker:
    if service not in _breakers:
        _breakers[service] = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name=service)
    return _breakers[service]
