"""Settings, one pydantic-settings class per concern (HUB_DB_, HUB_API_, HUB_INGEST_), safety caps validated."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def hub_home() -> Path:
    """The hub's private state folder (`.hub/` in the project, or HUB_HOME)."""
    return Path(os.environ.get("HUB_HOME") or PROJECT_ROOT / ".hub")


class DbSettings(BaseSettings):
    """Database: the embedded cluster by default, or an existing PostGIS via HUB_DATABASE_URL."""

    model_config = SettingsConfigDict(env_prefix="HUB_DB_", extra="ignore")

    url: str | None = Field(None, validation_alias=AliasChoices("HUB_DATABASE_URL", "HUB_DB_URL"),
                            description="Existing PostGIS (admin/owner connection); disables the embedded cluster")
    name: str = Field("hub", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="Database name in the embedded cluster")
    port: int = Field(55432, ge=1024, le=65535, description="Embedded cluster TCP port (127.0.0.1 only)")
    data_dir: Path | None = Field(None, description="Embedded cluster data folder (default .hub/pg)")
    os_user: str = Field("hubpg", pattern=r"^[a-z_][a-z0-9_-]{0,31}$",
                         description="Unprivileged OS user that runs the cluster when the hub runs as root")
    api_statement_timeout_ms: int = Field(5000, ge=100, le=120_000, description="statement_timeout of the API role")
    api_pool_max: int = Field(8, ge=1, le=64, description="Connections per API worker")
    lock_timeout_ms: int = Field(5000, ge=100, le=120_000, description="lock_timeout of the publish transaction")

    @property
    def embedded(self) -> bool:
        """True when the hub manages its own cluster."""
        return not self.url

    @property
    def cluster_dir(self) -> Path:
        """The embedded cluster's data folder."""
        return self.data_dir or hub_home() / "pg"

    @property
    def socket_dir(self) -> Path:
        """Unix socket folder of the embedded cluster."""
        return hub_home() / "run"


class ApiSettings(BaseSettings):
    """The OGC API server."""

    model_config = SettingsConfigDict(env_prefix="HUB_API_", extra="ignore")

    host: str = Field("127.0.0.1", description="Bind address")
    port: int = Field(5000, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=32)
    base_url: str | None = Field(None, description="Public URL (default http://host:port)")
    default_limit: int = Field(1000, ge=1, le=10_000, description="Page size when the client sends none")
    max_limit: int = Field(10_000, ge=1, le=100_000, description="Largest page a client may ask for")
    max_offset: int = Field(10_000_000, ge=0, description="Largest offset accepted (keyset `next` links have no cost)")
    max_filter_chars: int = Field(20_000, ge=100, le=2_000_000, description="Cap on CQL2 filter length")
    max_filter_depth: int = Field(50, ge=2, le=500, description="Cap on CQL2 nesting depth")
    max_geometry_vertices: int = Field(10_000, ge=4, description="Cap on vertices in a spatial filter literal")
    count_timeout_ms: int = Field(1000, ge=50, le=60_000, description="Time box for exact filtered counts")
    tile_max_features: int = Field(20_000, ge=100, description="Per-tile feature cap")
    basemap_url: str = Field("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                             description="Base-map tile URL of the HTML map ({z}/{x}/{y}; a province's own tile "
                                         "server), or empty for no base map; the page's CSP allows exactly its origin")
    basemap_attribution: str = Field("&copy; OpenStreetMap contributors", description="Attribution of the base map")

    @property
    def url(self) -> str:
        """The server's public base URL."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


NOT_CONFIGURED = "not configured"


class MetadataSettings(BaseSettings):
    """Who runs this hub (the API's provider and point of contact): honest "not configured" until an operator sets
    HUB_META_* (e.g. HUB_META_PROVIDER_NAME="Sở Nông nghiệp và Môi trường TP Cần Thơ")."""

    model_config = SettingsConfigDict(env_prefix="HUB_META_", extra="ignore")

    provider_name: str = Field(NOT_CONFIGURED, description="Organisation that operates the hub")
    provider_url: str | None = Field(None, description="Its web site (default: the hub's own URL)")
    contact_name: str = Field(NOT_CONFIGURED, description="Person or office to contact")
    contact_position: str | None = Field(None, description="Their position, e.g. Data steward")
    contact_email: str | None = Field(None, description="Contact e-mail address")
    contact_phone: str | None = Field(None, description="Contact telephone")
    contact_url: str | None = Field(None, description="Contact web page")
    address: str | None = Field(None, description="Street address")
    city: str | None = None
    province: str | None = Field(None, description="Province (stateorprovince)")
    postal_code: str | None = None
    country: str = "Vietnam"
    hours: str | None = Field(None, description="Office hours")

    @property
    def configured(self) -> bool:
        """Whether an operator has set at least the provider or a way to reach someone."""
        return self.provider_name != NOT_CONFIGURED or bool(self.contact_email or self.contact_url)


class IngestSettings(BaseSettings):
    """ETL runs."""

    model_config = SettingsConfigDict(env_prefix="HUB_INGEST_", extra="ignore")

    chunk_bytes: int = Field(10 * 1024**2, ge=1024**2, le=1024**3,
                             description="Source bytes per streamed chunk: a file's chunks hold this many bytes' "
                                         "worth of its features (memory follows what is read, not the row count)")
    chunk_rows: int = Field(50_000, ge=100, le=1_000_000, description="Most rows per streamed chunk")
    max_row_drop: float = Field(0.4, ge=0.0, le=1.0,
                                description="Refuse to publish when rows fall by more than this share (unless --force)")
    max_archive_ratio: int = Field(100, ge=1, description="Zip-bomb guard: uncompressed/compressed size cap")
    max_archive_bytes: int = Field(2 * 1024**3, ge=1024, description="Cap on uncompressed archive size")
    progress: bool = Field(True, description="Show progress bars on a terminal")
    workers: int = Field(default_factory=lambda: min(2, os.cpu_count() or 1), ge=1, le=16,
                         description="Processes transforming chunks in parallel (1 = in the main process)")

    @field_validator("chunk_rows")
    @classmethod
    def _round_chunk(cls, v: int) -> int:
        """Keep chunks a multiple of 100 rows (COPY batches)."""
        return max(100, v - v % 100)


@lru_cache(maxsize=1)
def db_settings() -> DbSettings:
    """Cached database settings."""
    return DbSettings()


@lru_cache(maxsize=1)
def api_settings() -> ApiSettings:
    """Cached API settings."""
    return ApiSettings()


@lru_cache(maxsize=1)
def metadata_settings() -> MetadataSettings:
    """Cached provider and contact settings."""
    return MetadataSettings()


@lru_cache(maxsize=1)
def ingest_settings() -> IngestSettings:
    """Cached ingest settings."""
    return IngestSettings()
