"""Project-wide breaker settings as CircuitBreaker subclasses."""

import requests
from circuitbreaker import CircuitBreaker


class DownstreamBreaker(CircuitBreaker):
    FAILURE_THRESHOLD = 5
    RECOVERY_TIMEOUT = 30
    EXPECTED_EXCEPTION = requests.RequestException


class SlowDownstreamBreaker(DownstreamBreaker):
    RECOVERY_TIMEOUT = 120
