from pydantic import PostgresDsn
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    warehouse_url: PostgresDsn
    orders_database_url: PostgresDsn  # expect: SP803
    batch_size: int = 5000


settings = ReportingSettings()
