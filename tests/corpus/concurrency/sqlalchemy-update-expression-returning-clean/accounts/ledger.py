from sqlalchemy import Integer, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer)


class Insufficient(Exception):
    pass


async def debit(session: AsyncSession, account_id: str, amount: int) -> int:
    current = await session.scalar(select(Account.balance).where(Account.id == account_id))
    if current is None or current < amount:
        raise Insufficient(account_id)
    result = await session.execute(
        update(Account)
        .where(Account.id == account_id, Account.balance >= amount)
        .values(balance=Account.balance - amount)
        .returning(Account.balance)
    )
    new_balance = result.scalar_one_or_none()
    if new_balance is None:
        raise Insufficient(account_id)
    await session.commit()
    return new_balance
