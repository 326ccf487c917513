"""Function summaries exported by one module and the references other modules make to them."""

from __future__ import annotations

import ast

from stormproof.check.analysis.modules import (
    CallTargets,
    ExportedFunctions,
    function_key,
    function_ref,
    module_bindings,
)
from tests.check.analysis.parsed import context


def test_function_refs_match_keys_exported_by_other_modules() -> None:
    clients = context(
        """
        import httpx
        class PaymentsClient:
            def pay(self): ...
        payments = PaymentsClient()
        async def book_flight(): ...
        """,
        relpath="booking/clients.py",
    )
    main = context(
        """
        import json
        from booking import clients
        from booking.clients import payments, PaymentsClient
        def run(client: PaymentsClient):
            clients.book_flight()
            payments.pay()
            client.pay()
            json.dumps({})
            len([])
        """,
        relpath="booking/main.py",
    )
    keys = sorted(function_key(clients, f) for f in clients.functions)
    assert keys == ["booking.clients.PaymentsClient.pay", "booking.clients.book_flight"]
    targets = CallTargets(keys, module_bindings(clients))
    calls = [n for n in ast.walk(main.tree) if isinstance(n, ast.Call)]
    refs = [function_ref(main, c) for c in sorted(calls, key=lambda c: c.lineno)]
    assert refs == [
        "booking.clients.book_flight",
        "booking.clients.payments.pay",
        "booking.clients.PaymentsClient.pay",
        None,
        None,
    ]
    assert [targets.resolve(r) for r in refs if r] == [
        "booking.clients.book_flight",
        "booking.clients.PaymentsClient.pay",
        "booking.clients.PaymentsClient.pay",
    ]
    assert targets.resolve("booking.other.pay") is None


def test_exported_functions_follow_calls_breadth_first_to_a_depth() -> None:
    exports = [
        {
            "functions": {
                "svc.api.handle": {"calls": ["svc.service.book"]},
                "svc.service.book": {"calls": ["svc.repo.save", "svc.service.book"]},
            },
            "bindings": {},
        },
        {"functions": {"svc.repo.save": {"calls": ["svc.repo.audit"]}}},
        {"functions": {"svc.repo.audit": {"calls": []}}, "bindings": {}},
    ]
    code = ExportedFunctions(exports)
    assert code.resolve("svc.service.book") == "svc.service.book"
    assert code.resolve("svc.missing") is None

    def reached(depth: int) -> list[str]:
        return [key for key, _ in code.reachable(["svc.api.handle"], lambda s: s["calls"], depth)]

    assert reached(1) == ["svc.api.handle"]
    # A function calling itself is visited once.
    assert reached(3) == ["svc.api.handle", "svc.service.book", "svc.repo.save"]
    assert reached(9)[-1] == "svc.repo.audit"
    assert list(code.reachable(["nowhere.f"], lambda s: s["calls"], 3)) == []
