import os

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ["ORDERS_DATABASE_URL"])
SessionMaker = async_sessionmaker(engine, expire_on_commit=False)


async def get_session():
    async with SessionMaker() as session:
        yield session
