"""Database session factory."""

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ.get("PAYMENTS_DB", "sqlite:///./payments.db"))
SessionLocal = sessionmaker(bind=engine, autoflush=False)


def get_db():
    db: Session = SessionLocal()
    try:
        yield db
    finally:
        db.close()
