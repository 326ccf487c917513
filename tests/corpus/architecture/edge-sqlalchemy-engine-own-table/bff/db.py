"""Backend-for-frontend keeps user preferences in its own little table."""

import os

from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///./bff.db")

engine = create_engine(DATABASE_URL, echo=False)  # expect: SP801
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)


class Base(DeclarativeBase):
    pass


class Preference(Base):
    __tablename__ = "preferences"
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    theme: Mapped[str] = mapped_column(String, default="light")
