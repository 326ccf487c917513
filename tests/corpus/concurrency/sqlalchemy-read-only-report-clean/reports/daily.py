"""Daily revenue report: reads rows and aggregates in Python; writes nothing back."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Date, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    merchant: Mapped[str] = mapped_column(String)
    amount: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)


class Summary:
    def __init__(self) -> None:
        self.total = 0
        self.count = 0


def revenue(session: Session, day: date) -> dict[str, Summary]:
    by_merchant: dict[str, Summary] = defaultdict(Summary)
    for payment in session.scalars(select(Payment).where(Payment.day == day)):
        summary = by_merchant[payment.merchant]
        summary.total += payment.amount
        summary.count = summary.count + 1
    return dict(by_merchant)


def largest(session: Session, day: date) -> int:
    top = session.scalars(
        select(Payment).where(Payment.day == day).order_by(Payment.amount.desc())
    ).first()
    result = Summary()
    result.total = top.amount if top else 0
    return result.total
