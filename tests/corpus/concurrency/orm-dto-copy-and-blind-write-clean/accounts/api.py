from datetime import datetime, timezone

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from accounts.db import get_session

app = FastAPI()


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    balance_cents: Mapped[int] = mapped_column(Integer)
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    balance_cents: int
    balance: float = 0.0


@app.get("/accounts/{account_id}", response_model=AccountOut)
def show(account_id: str, session: Session = Depends(get_session)) -> AccountOut:
    account = session.get(Account, account_id)
    out = AccountOut.model_validate(account)
    out.balance = out.balance_cents / 100
    account.last_viewed_at = datetime.now(timezone.utc)
    session.commit()
    return out
