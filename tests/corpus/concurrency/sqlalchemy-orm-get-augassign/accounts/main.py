from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./accounts.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    owner: Mapped[str] = mapped_column(String)
    balance: Mapped[int] = mapped_column(Integer, default=0)


class Charge(BaseModel):
    amount: int


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.post("/accounts/{account_id}/charge")
def charge(account_id: str, body: Charge, db: Session = Depends(get_db)):
    account = db.get(Account, account_id)
    if account is None:
        raise HTTPException(404, "no such account")
    if account.balance < body.amount:
        raise HTTPException(402, "insufficient balance")
    account.balance -= body.amount  # expect: SP701
    db.commit()
    db.refresh(account)
    return {"id": account.id, "balance": account.balance}


@app.patch("/accounts/{account_id}")
def update_owner(account_id: str, owner: str, db: Session = Depends(get_db)):
    account = db.get(Account, account_id)
    if account is None:
        raise HTTPException(404, "no such account")
    account.owner = owner
    db.commit()
    return {"id": account.id, "owner": account.owner}
