"""How compensations are retried: until they succeed, after a capped, jittered, exponentially
growing pause.

A compensation that fails cannot be given up on: the saga would stay half done (a charge
never refunded). So it is retried for as long as the coordinator runs, and, the log keeping
the saga "compensating", again after a restart. What keeps "forever" from doing harm is the
pause: it grows from ``initial`` by ``multiplier`` per failure up to ``maximum`` and is never
zero, so a compensation that cannot succeed costs one call per ``maximum`` seconds, not a
busy loop; and jitter spreads the retries of many sagas that failed together. Every failure
is written to the saga log and logged as a warning, so a stuck compensation is never silent.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from stormproof.kit.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class CompensationRetry:
    """The pause after the ``n``-th failed attempt of a compensation is
    ``min(maximum, initial * multiplier ** (n - 1))``, less a random fraction of up to
    ``jitter`` of it ("equal jitter" at the default 0.5: between half and all of it)."""

    initial: float = 0.1
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if not (isinstance(self.initial, int | float) and 0 < self.initial < math.inf):
            raise ConfigurationError(
                f"initial must be a finite number of seconds > 0 (0 would retry in a busy "
                f"loop), not {self.initial!r}"
            )
        if not (isinstance(self.maximum, int | float) and self.initial <= self.maximum < math.inf):
            raise ConfigurationError(
                f"maximum must be finite and >= initial ({self.initial}), not {self.maximum!r}"
            )
        if not (isinstance(self.multiplier, int | float) and 1 <= self.multiplier < math.inf):
            raise ConfigurationError(f"multiplier must be >= 1 and finite, not {self.multiplier!r}")
        if not (isinstance(self.jitter, int | float) and 0 <= self.jitter < 1):
            raise ConfigurationError(
                f"jitter must be in [0, 1) (1 could pause for 0 s), not {self.jitter!r}"
            )

    def delay(self, failures: int) -> float:
        """The pause, in seconds, after the ``failures``-th failed attempt (1, 2, …)."""
        if failures < 1:
            raise ValueError(f"failures counts from 1, not {failures}")
        # The exponent is capped where the pause reaches the maximum, so that a compensation
        # failing for days never overflows a float.
        ceiling = (
            math.log(self.maximum / self.initial, self.multiplier) if self.multiplier > 1 else 0
        )
        pause = min(self.maximum, self.initial * self.multiplier ** min(failures - 1, ceiling + 1))
        return pause * (1 - self.jitter * random.random())
