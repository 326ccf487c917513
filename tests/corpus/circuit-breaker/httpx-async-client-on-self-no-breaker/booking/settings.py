"""Configuration read from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    payments_url: str = "http://payments:8000"
    flights_url: str = "http://flights:8000"
    request_timeout_s: float = 5.0
    log_level: str = "info"


settings = Settings()
