"""Flights: reservations keyed by the caller's idempotency key."""

from typing import Annotated

from fastapi import Depends, FastAPI, Header
from pydantic import BaseModel
from sqlalchemy.orm import Session

from flights.db import get_session
from flights.models import Reservation

app = FastAPI()


class ReserveIn(BaseModel):
    flight_id: str
    user_id: str


@app.post("/reservations", status_code=201)
def reserve(
    body: ReserveIn,
    idempotency_key: Annotated[str, Header()],
    session: Annotated[Session, Depends(get_session)],
) -> dict:
    found = session.query(Reservation).filter_by(idempotency_key=idempotency_key).one_or_none()
    if found is not None:
        return {"id": found.id}
    reservation = Reservation(
        flight_id=body.flight_id, user_id=body.user_id, idempotency_key=idempotency_key
    )
    session.add(reservation)
    session.commit()
    return {"id": reservation.id}
