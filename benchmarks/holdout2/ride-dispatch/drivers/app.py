"""Drivers: who is on shift, where, and which ride each one is on."""

import os
import uuid
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

engine = create_engine(os.environ["DRIVERS_DATABASE_URL"])
app = FastAPI(title="drivers")


class Base(DeclarativeBase):
    pass


class Driver(Base):
    __tablename__ = "drivers"
    id: Mapped[str] = mapped_column(primary_key=True)
    zone: Mapped[str]
    status: Mapped[str]
    rating_total: Mapped[int] = mapped_column(default=0)


class Assignment(Base):
    __tablename__ = "assignments"
    id: Mapped[str] = mapped_column(primary_key=True)
    ride_id: Mapped[str] = mapped_column(unique=True)
    driver_id: Mapped[str]
    idempotency_key: Mapped[str] = mapped_column(unique=True)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    driver_id: Mapped[str]
    ride_id: Mapped[str]
    stars: Mapped[int]


class AssignmentRequest(BaseModel):
    ride_id: str
    pickup: str


class RatingRequest(BaseModel):
    ride_id: str
    stars: int = Field(ge=1, le=5)


def zone_of(place: str) -> str:
    return place.split(",")[0].strip().lower()


@app.get("/eta")
def eta(pickup: str) -> dict[str, int]:
    with Session(engine) as session:
        available = session.scalar(
            select(func.count())
            .select_from(Driver)
            .where(Driver.zone == zone_of(pickup), Driver.status == "available")
        )
    return {"minutes": 4 if available else 12}


@app.post("/assignments", status_code=201)
def assign(
    body: AssignmentRequest, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
) -> dict[str, str]:
    with Session(engine) as session:
        existing = session.scalar(
            select(Assignment).where(Assignment.idempotency_key == idempotency_key)
        )
        if existing is not None:
            return {"assignment_id": existing.id, "driver_id": existing.driver_id}
        driver = session.scalar(
            select(Driver)
            .where(Driver.zone == zone_of(body.pickup), Driver.status == "available")
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if driver is None:
            raise HTTPException(status_code=409, detail="no driver available")
        driver.status = "on_ride"
        assignment = Assignment(
            id=str(uuid.uuid4()),
            ride_id=body.ride_id,
            driver_id=driver.id,
            idempotency_key=idempotency_key,
        )
        session.add(assignment)
        session.commit()
        return {"assignment_id": assignment.id, "driver_id": driver.id}


@app.delete("/assignments/{assignment_id}")
def release(assignment_id: str) -> dict[str, bool]:
    with Session(engine) as session:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None:
            return {"released": False}
        driver = session.get(Driver, assignment.driver_id)
        if driver is not None:
            driver.status = "available"
        session.delete(assignment)
        session.commit()
        return {"released": True}


@app.post("/drivers/{driver_id}/ratings", status_code=201)
def rate(driver_id: str, body: RatingRequest) -> dict[str, int]:
    with Session(engine) as session:
        driver = session.get(Driver, driver_id)
        if driver is None:
            raise HTTPException(status_code=404, detail="unknown driver")
        session.add(Rating(driver_id=driver_id, ride_id=body.ride_id, stars=body.stars))
        driver.rating_total += body.stars
        session.commit()  # the rating row and the running total land together
        return {"rating_total": driver.rating_total}
