"""Flights API; the service object comes from a dependency."""

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from flights.services import BookingService, get_service

router = APIRouter()
app = FastAPI()


class BookIn(BaseModel):
    booking_id: str
    flight_id: str


@router.post("/bookings", status_code=201)
def book(body: BookIn, service: BookingService = Depends(get_service)) -> dict:  # expect: SP401
    return {"id": service.book(body.booking_id, body.flight_id)}


@router.delete("/bookings/{hold_id}", status_code=204)
def cancel(hold_id: str, service: BookingService = Depends(get_service)) -> None:  # expect: SP401
    service.cancel(hold_id)


app.include_router(router)
