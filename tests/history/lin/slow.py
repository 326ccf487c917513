"""A history that is hard to check: one key, many clients appending at once. A string
records the order of every append, so the configurations do not merge; the time budget is
what ends the search.

By default each client appends the same string every round, so that the fast path for
append-only keys (``stormproof.history.lin.appends``, which needs every append value to be
distinct) cannot take it and the time-budget tests keep testing the budget."""

from __future__ import annotations

from stormproof.history import History, Op


def crowded_appends(clients: int = 12, rounds: int = 60, *, distinct: bool = False) -> History:
    """``clients`` processes append at once, ``rounds`` times, with a get only after every
    append of the round completed. Linearizable, but each get is consistent with just one
    of the ``clients!`` orders of the round's appends. ``distinct`` makes every append
    value unique (``"round.process "`` instead of ``"process "``): the same history as far
    as the general search is concerned, but one the fast path decides."""
    ops: list[Op] = []
    text = ""
    for r in range(rounds):
        values = [f"{r}.{p} " if distinct else f"{p} " for p in range(clients)]
        for p in range(clients):
            ops.append(Op(p, "invoke", "append", values[p], len(ops), key="k"))
        for p in reversed(range(clients)):  # take effect in reverse order of invocation
            text += values[p]
        for p in range(clients):
            ops.append(Op(p, "ok", "append", values[p], len(ops), key="k"))
        if r % 5 == 4:  # reads rarely, so wrong orders live long
            ops.append(Op(0, "invoke", "get", None, len(ops), key="k"))
            ops.append(Op(0, "ok", "get", text, len(ops), key="k"))
    return History(ops)
