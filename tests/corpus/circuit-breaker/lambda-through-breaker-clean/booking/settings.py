"""Booking settings."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    payments_url: str
    flights_url: str


settings = Settings()
