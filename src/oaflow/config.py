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
    #: the keys that seal sensitive fields (SEC-3): ``kid:base64key,…``, the first current
    keys: str = ""
    #: what GET /metrics asks of callers not on this machine (`Authorization: Bearer …`);
    #: empty: /metrics answers only 127.0.0.1 / ::1
    metrics_token: str = ""
    #: or a file of such entries, one a line (mode 600); never both, never in the database
    key_file: str = ""
