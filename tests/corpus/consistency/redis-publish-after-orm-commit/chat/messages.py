import json
from datetime import datetime, timezone

from redis import Redis
from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    room: Mapped[str] = mapped_column(String)
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MessageService:
    def __init__(self, session: Session, bus: Redis) -> None:
        self.session = session
        self.bus = bus

    def post(self, message_id: str, room: str, body: str) -> Message:
        msg = Message(id=message_id, room=room, body=body, sent_at=datetime.now(timezone.utc))
        self.session.add(msg)
        self.session.commit()
        self.bus.publish(f"room:{room}", json.dumps({"id": msg.id, "body": msg.body}))  # expect: SP902
        return msg

    def history(self, room: str) -> list[Message]:
        return list(self.session.query(Message).filter_by(room=room).order_by(Message.sent_at))
