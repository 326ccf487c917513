"""Booking settings."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    payments_url: str = "http://payments:8000"
    flights_url: str = "http://flights:8000"
    otel_enabled: bool = True


settings = Settings()
