"""Hotels ORM models."""

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RoomReservation(Base):
    __tablename__ = "room_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    hotel_id: Mapped[str]
    user_id: Mapped[str]
    nights: Mapped[int]
