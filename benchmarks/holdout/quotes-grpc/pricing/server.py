"""Pricing service (gRPC): list prices and customer discounts from Postgres."""

import logging
import os
from concurrent import futures

import grpc
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pricing.gen import pricing_pb2, pricing_pb2_grpc

log = logging.getLogger("pricing")
engine = create_engine(os.environ["PRICING_DATABASE_URL"], pool_size=8)


class Base(DeclarativeBase):
    pass


class Price(Base):
    __tablename__ = "prices"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_minor: Mapped[int] = mapped_column(Integer)


class Discount(Base):
    __tablename__ = "discounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    percent_off: Mapped[int] = mapped_column(Integer)


class PricingServicer(pricing_pb2_grpc.PricingServiceServicer):
    def GetBasePrice(self, request, context):
        with Session(engine) as session:
            price = session.get(Price, request.sku)
        if price is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no price for {request.sku}")
        return pricing_pb2.BasePrice(sku=price.sku, unit_minor=price.unit_minor)

    def ListDiscounts(self, request, context):
        with Session(engine) as session:
            rows = session.scalars(
                select(Discount.percent_off).where(
                    Discount.customer_id == request.customer_id, Discount.sku == request.sku
                )
            ).all()
        return pricing_pb2.Discounts(percent_off=rows)

    def AdjustPrice(self, request, context):
        """Move a list price by a percentage; the row lock keeps concurrent moves in order."""
        with Session(engine) as session, session.begin():
            price = session.scalars(
                select(Price).where(Price.sku == request.sku).with_for_update()
            ).one_or_none()
            if price is None:
                context.abort(grpc.StatusCode.NOT_FOUND, f"no price for {request.sku}")
            price.unit_minor = round(price.unit_minor * (100 + request.percent) / 100)
        log.info("price of %s is now %d", request.sku, price.unit_minor)
        return pricing_pb2.BasePrice(sku=price.sku, unit_minor=price.unit_minor)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pricing_pb2_grpc.add_PricingServiceServicer_to_server(PricingServicer(), server)
    server.add_insecure_port(f"[::]:{os.getenv('PORT', '50052')}")
    server.start()
    server.wait_for_termination()
