from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("postgresql+psycopg://app@accounts-db/accounts", pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)


class Charge(BaseModel):
    amount: int


def get_db():
    with SessionLocal() as db:
        yield db


@app.post("/accounts/{account_id}/charge")
def charge(account_id: str, body: Charge, db: Session = Depends(get_db)):
    account = (
        db.query(Account).filter(Account.id == account_id).with_for_update().one_or_none()
    )
    if account is None:
        raise HTTPException(404, "no such account")
    if account.balance < body.amount:
        raise HTTPException(402, "insufficient balance")
    account.balance -= body.amount
    db.commit()
    return {"id": account.id, "balance": account.balance}


@app.post("/accounts/{account_id}/refund")
def refund(account_id: str, body: Charge, db: Session = Depends(get_db)):
    stmt = select(Account).where(Account.id == account_id).with_for_update()
    account = db.execute(stmt).scalar_one()
    account.balance = account.balance + body.amount
    db.commit()
    return {"id": account.id, "balance": account.balance}
