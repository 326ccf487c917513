from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = Field(alias="ORDERS_DATABASE_URL")
    payments_url: str = Field(default="http://payments:8000", alias="PAYMENTS_URL")
