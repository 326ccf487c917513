from pydantic import AnyHttpUrl, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8")

    payments_url: AnyHttpUrl = Field(default="http://payments:8000")
    payments_timeout_s: float = 5.0
    public_base_url: str = "http://localhost:8000"


settings = Settings()
