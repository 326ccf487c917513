"""Rewards points, async SQLAlchemy."""

from sqlalchemy import Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine("postgresql+asyncpg://rewards@rewards-db/rewards")
SessionMaker = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Wallet(Base):
    __tablename__ = "wallets"
    customer_id: Mapped[str] = mapped_column(String, primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String, default="bronze")


def tier_for(points: int) -> str:
    return "gold" if points >= 10_000 else "silver" if points >= 1_000 else "bronze"


async def earn(customer_id: str, order_total_cents: int) -> Wallet:
    earned = order_total_cents // 100
    async with SessionMaker() as session:
        wallet = await session.scalar(select(Wallet).where(Wallet.customer_id == customer_id))
        wallet.points = wallet.points + earned  # expect: SP701
        wallet.tier = tier_for(wallet.points)
        await session.commit()
        return wallet


async def lookup(session: AsyncSession, customer_id: str) -> int:
    wallet = await session.get(Wallet, customer_id)
    return wallet.points if wallet else 0
