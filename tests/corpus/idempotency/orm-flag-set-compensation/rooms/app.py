"""Rooms: cancelling a hold flips a flag on the ORM object and commits, with no key read."""

from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import Boolean, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///rooms.db")
make_session = sessionmaker(bind=engine)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class Hold(Base):
    __tablename__ = "holds"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    room: Mapped[str] = mapped_column(String(16))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


def get_db():
    db = make_session()
    try:
        yield db
    finally:
        db.close()


@app.post("/holds", status_code=201)
def hold(room: str, x_request_id: str = Header(...), db: Session = Depends(get_db)) -> dict:
    existing = db.query(Hold).filter(Hold.id == x_request_id).first()
    if existing:
        return {"id": existing.id}
    db.add(Hold(id=x_request_id, room=room))
    db.commit()
    return {"id": x_request_id}


@app.post("/holds/{hold_id}/cancel")
def cancel_hold(hold_id: str, db: Session = Depends(get_db)) -> dict:  # expect: SP401
    row = db.query(Hold).filter(Hold.id == hold_id).one_or_none()
    if row is None:
        raise HTTPException(status_code=404)
    row.cancelled = True
    db.commit()
    return {"id": hold_id, "cancelled": True}
