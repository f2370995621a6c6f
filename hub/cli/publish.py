"""`hub publish`: render the OGC API configuration (pygeoapi config + OpenAPI) from the catalog and meta.published."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.options import info
from hub.errors import ConfigError


@click.command()
@click.option("--template-only", is_flag=True, help="Only rewrite the committed catalog-only files in ogc_config/.")
@click.option("--check", is_flag=True, help="Exit 3 if ogc_config/ differs from what the catalog renders.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the runtime files (default .hub/api).")
def publish(template_only: bool, check: bool, out: Path | None) -> None:
    """Render pygeoapi-config.yml and openapi.yml from the catalog and meta.published.

    \b
    Two renderings, both deterministic:
      ogc_config/       catalog only (committed; national extent as placeholder)
      .hub/api/         published collections only, extents and counts measured at load time
    `hub serve` re-renders the runtime files itself and reloads on every new publication.

    \b
    Example:
      hub publish                    # after `hub ingest ...`
      hub publish --check            # CI: fail when ogc_config/ drifts from the catalog
    """
    from hub.api import config as cfg
    from hub.settings import api_settings

    config_text, openapi_text = cfg.template_texts()
    files = {cfg.TEMPLATE_DIR / "pygeoapi-config.yml": config_text, cfg.TEMPLATE_DIR / "openapi.yml": openapi_text}
    if check:
        drift = [p.name for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        if drift:
            raise ConfigError(f"ogc_config/ drifts from the catalog ({', '.join(drift)}): run `hub publish`")
        info("ogc_config/ matches the catalog")
        return
    cfg.TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    info(f"wrote {cfg.TEMPLATE_DIR}/pygeoapi-config.yml and openapi.yml (catalog only)")
    if template_only:
        return
    from hub.api.state import published_sync, token

    s = api_settings()
    state = published_sync()
    config = cfg.render_config(state, s)
    paths = cfg.write(out or cfg.runtime_dir(), config, cfg.render_openapi(config, s))
    info(f"wrote {paths[0]} and {paths[1]} ({len(state)} published dataset(s): {token(state)})")
