"""Hotels API; persistence is the repository's job."""

from fastapi import FastAPI
from pydantic import BaseModel

from hotels.repository import ReservationRepository

app = FastAPI()
repo = ReservationRepository()


class ReserveIn(BaseModel):
    booking_ref: str
    hotel_id: str
    nights: int


@app.post("/reservations")
def reserve(body: ReserveIn) -> dict:
    return {"id": repo.upsert(body.booking_ref, body.hotel_id, body.nights)}
