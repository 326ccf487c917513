"""Settings for the booking service."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    payments_url: str = "http://payments:8000"
    flights_url: str = "http://flights:8000"
    http_timeout: float = 10.0


settings = Settings()
