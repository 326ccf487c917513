"""Hotel reservation routes."""

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hotels.db import get_session
from hotels.models import RoomReservation

router = APIRouter(prefix="/reservations", tags=["reservations"])


class ReservationIn(BaseModel):
    hotel_id: str
    user_id: str
    nights: int


@router.post("", status_code=201)
async def reserve_room(body: ReservationIn, session: AsyncSession = Depends(get_session)) -> dict:  # expect: SP401
    reservation = RoomReservation(hotel_id=body.hotel_id, user_id=body.user_id, nights=body.nights)
    session.add(reservation)
    await session.commit()
    return {"id": reservation.id}


@router.delete("/{reservation_id}", status_code=204)
async def release_room(reservation_id: int, session: AsyncSession = Depends(get_session)) -> None:  # expect: SP401
    reservation = await session.get(RoomReservation, reservation_id)
    await session.execute(
        text("UPDATE hotels SET rooms_free = rooms_free + 1 WHERE id = :hotel"),
        {"hotel": reservation.hotel_id},
    )
    await session.delete(reservation)
    await session.commit()
