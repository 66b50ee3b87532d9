"""Settings, read once from OAFLOW_* environment variables and passed explicitly."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OAFLOW_", extra="ignore")

    database_url: str = "sqlite:///oaflow.db"
    lang: str = "zh"
    timezone: str = "Asia/Shanghai"
    #: where people open OA-Flow; the links in messages start with it
    base_url: str = "http://127.0.0.1:8000"
    #: the key that signs action links; empty: one is made per database and kept in it
    secret_key: str = ""
    #: where uploaded deliverables are kept (generated names; back it up with the database)
    files_dir: str = "oaflow-files"
    #: the largest upload, in MiB
    max_upload_mb: int = Field(default=50, ge=1, le=2048)
