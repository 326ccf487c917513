"""Session factory."""

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine(os.environ.get("INVENTORY_DSN", "sqlite:///inventory.db"))
SessionLocal = sessionmaker(bind=engine)
