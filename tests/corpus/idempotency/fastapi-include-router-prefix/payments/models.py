"""ORM models for payments."""

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Charge(Base):
    __tablename__ = "charges"
    id = Column(Integer, primary_key=True)
    user_id = Column(String, nullable=False)
    amount_cents = Column(Integer, nullable=False)
    status = Column(String, default="captured")


class Refund(Base):
    __tablename__ = "refunds"
    id = Column(Integer, primary_key=True)
    charge_id = Column(Integer, ForeignKey("charges.id"), nullable=False)
