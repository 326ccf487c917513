from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer)
    frozen: Mapped[bool] = mapped_column(default=False)


def apply_fee(session: Session, account_id: str, fee: int) -> int:
    balance = session.scalar(select(Account.balance).where(Account.id == account_id))
    new_balance = balance - fee
    session.execute(  # expect: SP701
        update(Account).where(Account.id == account_id).values(balance=new_balance)
    )
    session.commit()
    return new_balance


def freeze(session: Session, account_id: str) -> None:
    session.execute(update(Account).where(Account.id == account_id).values(frozen=True))
    session.commit()
