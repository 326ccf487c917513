import functools
import random
import time
from collections.abc import Callable
from typing import Any


def retry(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Our own bounded retry: 3 attempts with jittered exponential backoff."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(3):
            try:
                return fn(*args, **kwargs)
            except ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(random.uniform(0, 0.2 * 2**attempt))
        return None

    return wrapper
