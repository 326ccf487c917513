import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine(os.environ["ORDERS_DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
