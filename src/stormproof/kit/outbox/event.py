"""An outbox event as the relay hands it to ``deliver``, and the checks an event passes
before it is written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One event of an outbox.

    ``id`` is the event's identity, a UUID unique across every outbox of every service:
    send it along with the payload, and have consumers deduplicate on it (see
    :class:`~stormproof.kit.outbox.Deduplicator`), because the relay delivers at least once.
    ``seq`` is the event's position in its own outbox (the order events were written in),
    which is all it means: two services' outboxes both have a ``seq`` 1."""

    id: str
    seq: int
    topic: str
    key: str | None
    payload: Any
    created_at: float
    attempts: int
    """Delivery attempts made before this one (0 on the first)."""


def encode(topic: object, payload: object, key: object) -> str:
    """The payload as JSON text, after checking the event's fields; a clear error for a
    payload that JSON cannot carry (a set, a datetime, NaN), which would otherwise surface
    only when the relay reads the event back."""
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"topic must be a non-empty string, not {topic!r}")
    if key is not None and not isinstance(key, str):
        raise TypeError(
            f"key must be a string or None, not {type(key).__name__} {key!r}"
            " (convert it yourself, e.g. str(key), so that equal keys stay equal)"
        )
    try:
        return json.dumps(payload, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"payload of a {topic!r} event is not JSON-serialisable: {exc}") from exc


def decode(
    row: tuple[int, str, str, str | None, str, float, int],
) -> Event:
    """An event from the columns ``seq, id, topic, key, payload, created_at, attempts``."""
    seq, event_id, topic, key, payload, created_at, attempts = row
    return Event(event_id, seq, topic, key, json.loads(payload), created_at, attempts)
