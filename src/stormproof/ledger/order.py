"""The entries in order, oldest first: parents before children (a topological order), and
among entries whose parents are all placed, the earlier time first, then the hash, so the
order is the same on every machine."""

from __future__ import annotations

import heapq

from stormproof.ledger.entry import Entry


def in_order(entries: dict[str, Entry]) -> list[str]:
    """Hashes oldest first. Parents missing from ``entries`` are ignored (verify reports
    them); a cycle cannot occur, since a parent's hash is fixed before its child exists."""
    waiting = {d: {p for p in entry.parents if p in entries} for d, entry in entries.items()}
    children: dict[str, list[str]] = {}
    for digest, parents in waiting.items():
        for parent in parents:
            children.setdefault(parent, []).append(digest)
    ready = [(entries[d].time, d) for d, parents in waiting.items() if not parents]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _, digest = heapq.heappop(ready)
        ordered.append(digest)
        for child in children.get(digest, ()):
            waiting[child].discard(digest)
            if not waiting[child]:
                heapq.heappush(ready, (entries[child].time, child))
    return ordered
