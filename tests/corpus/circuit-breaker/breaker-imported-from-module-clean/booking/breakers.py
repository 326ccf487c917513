"""Shared breaker instances for booking's downstream services."""

import pybreaker

payments_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="payments")
flights_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="flights")
