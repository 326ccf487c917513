from functools import lru_cache

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    flights_url: str
    loyalty_url: str  # expect: SP802
    http_timeout: float = 4.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
