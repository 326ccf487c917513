from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    payments_url: str = "http://payments:8000"
    flights_url: str = "http://flights:8000"
    http_timeout: float = 5.0
    http_connect_timeout: float = 2.0


settings = Settings()
