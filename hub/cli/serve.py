"""`hub serve`: the OGC API server (uvicorn workers; gzip; ETag caching; reloads on new publications)."""

from __future__ import annotations

import os

import click

from hub.cli.options import info
from hub.errors import ConfigError, M


@click.command()
@click.option("--host", default=None, help="Bind address (default HUB_API_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default HUB_API_PORT or 5000; a second copy of the hub "
                                                      "needs its own, e.g. HUB_API_PORT=5001).")
@click.option("--workers", type=click.IntRange(1, 32), default=None, help="Worker processes (default HUB_API_WORKERS or 2).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="warning",
              show_default=True)
def serve(host: str | None, port: int | None, workers: int | None, log_level: str) -> None:
    """Serve the OGC API: GeoJSON fast path + pygeoapi (HTML, metadata, records, processes, tiles).

    \b
    Each worker checks meta.published at most once per second: a new load is served without a restart.
    Responses carry ETag / Last-Modified tied to the published version (304 on If-None-Match).

    \b
    Example:
      hub serve --port 5000 --workers 2
      ogrinfo OAPIF:http://127.0.0.1:5000/collections/cadastre_cantho
    """
    import uvicorn

    from hub.api import config as cfg
    from hub.settings import api_settings

    for key, value in (("HUB_API_HOST", host), ("HUB_API_PORT", port), ("HUB_API_WORKERS", workers)):
        if value is not None:
            os.environ[key] = str(value)
    api_settings.cache_clear()
    s = api_settings()
    from hub.db.cluster import free_port, port_in_use

    if port_in_use(s.port, s.host):
        raise ConfigError(M("api.port_taken", port=s.port, host=s.host, suggest=free_port(s.port, s.host)))
    config_path, openapi_path, tok = cfg.render_runtime(s)
    os.environ.update(PYGEOAPI_CONFIG=str(config_path), PYGEOAPI_OPENAPI=str(openapi_path), HUB_API_CONFIG_TOKEN=tok)
    info(M.text("api.serving", url=s.url, workers=s.workers, token=tok))
    uvicorn.run("hub.api.app:app", host=s.host, port=s.port, workers=s.workers, log_level=log_level,
                server_header=False, proxy_headers=False, access_log=log_level in ("info", "debug"))
