"""Settings for booking."""

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    flights_url: str = "http://flights:8000"
    payments_url: str = "http://payments:8000"
    breaker_fail_max: int = 5


settings = Settings()
