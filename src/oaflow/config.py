"""Settings, read once from OAFLOW_* environment variables and passed explicitly."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OAFLOW_", extra="ignore")

    database_url: str = "sqlite:///oaflow.db"
    lang: str = "zh"
    timezone: str = "Asia/Shanghai"
