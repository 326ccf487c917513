"""Device registry: who owns each device and which firmware it should run."""

import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["DEVICES_DSN"])
Sessions = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI(title="devices")


class Base(DeclarativeBase):
    pass


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(primary_key=True)
    owner_contact: Mapped[str]
    model: Mapped[str]
    firmware: Mapped[str]
    rollout_attempts: Mapped[int] = mapped_column(default=0)


class FirmwareUpdate(BaseModel):
    version: str


async def session() -> AsyncIterator[AsyncSession]:
    async with Sessions() as db:
        yield db


Db = Annotated[AsyncSession, Depends(session)]


async def load(db: AsyncSession, device_id: str) -> Device:
    device = await db.get(Device, device_id)
    if device is None:
        raise HTTPException(status_code=404, detail="unknown device")
    return device


@app.get("/devices/{device_id}")
async def profile(device_id: str, db: Db) -> dict[str, str]:
    device = await load(db, device_id)
    return {"id": device.id, "model": device.model}


@app.get("/devices/{device_id}/firmware")
async def firmware(device_id: str, db: Db) -> dict[str, str]:
    device = await load(db, device_id)
    return {"version": device.firmware}


@app.get("/owners")
async def owner(device_id: str, db: Db) -> dict[str, str]:
    device = await load(db, device_id)
    return {"device_id": device.id, "contact": device.owner_contact}


@app.put("/devices/{device_id}/firmware")
async def roll_out(device_id: str, body: FirmwareUpdate, db: Db) -> dict[str, int]:
    device = await db.scalar(select(Device).where(Device.id == device_id).with_for_update())
    if device is None:
        raise HTTPException(status_code=404, detail="unknown device")
    device.firmware = body.version
    device.rollout_attempts += 1
    await db.commit()
    return {"rollout_attempts": device.rollout_attempts}
