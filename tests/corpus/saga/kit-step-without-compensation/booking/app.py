"""The saga runs on stormproof.kit's durable orchestrator, every step but one step forgets its undo."""

import os

from stormproof.kit import Client, Orchestrator, Saga, SagaLog, Step, StepContext

payments = Client.for_service("payments")
flights = Client.for_service("flights")

def charge(ctx: StepContext) -> dict:
    return payments.post("/charges", json={"amount": ctx.input["amount"]}).json()

def reserve(ctx: StepContext) -> dict:
    return flights.post("/reservations", json={"flight": ctx.input["flight"]}).json()

book_trip = Saga(
    Step("charge", charge),  # expect: SP502
    Step("reserve", reserve, compensation=None),
)
orchestrator = Orchestrator(SagaLog(os.environ["SAGA_DB"]), {"book-trip": book_trip})

def book(trip_id: str, amount: int, flight: str) -> str:
    return orchestrator.start("book-trip", trip_id, {"amount": amount, "flight": flight}).status
