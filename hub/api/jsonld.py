"""JSON-LD pages rendered by pygeoapi: the hub's template folder is searched before pygeoapi's own."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


def install(api) -> None:
    """Put the hub's templates first for one pygeoapi API object (pygeoapi's stay the fallback)."""
    for conf in (api.config, api.tpl_config):
        conf["server"].setdefault("templates", {})["path"] = str(TEMPLATES)
