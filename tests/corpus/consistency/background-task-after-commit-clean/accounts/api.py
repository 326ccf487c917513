"""Welcome email runs in-process after the response (FastAPI BackgroundTasks, no broker)."""

import logging
import uuid

from fastapi import BackgroundTasks, Depends, FastAPI
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from accounts.db import get_session

log = logging.getLogger(__name__)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    email: Mapped[str] = mapped_column(String, unique=True)


def send_welcome(email: str) -> None:
    log.info("welcome mail to %s", email)


@app.post("/users", status_code=201)
def create_user(email: str, tasks: BackgroundTasks, session: Session = Depends(get_session)) -> dict:
    user = User(id=str(uuid.uuid4()), email=email)
    session.add(user)
    session.commit()
    tasks.add_task(send_welcome, email)
    return {"id": user.id}
