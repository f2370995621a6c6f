"""The parcel report's sections: a registry of name -> dotted path of `(conn, parcel, date) -> Section`.

A section says one thing about a parcel the report found (its cadastral record; its land price; the planning
zone it lies in; a survey result) and cites where it comes from. Families register theirs with `register()` (the
lead wires FamilySpec.report_section to it); the report runs every registered section in registration order, on
the API's read-only connection (hub_api: `pub` views only), and a section that fails or has no data says why
in `unavailable` instead of disappearing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOG = logging.getLogger("hub.api")


@dataclass
class Parcel:
    """What the lookup found: the collection, feature id, public properties and GeoJSON geometry (WGS 84)."""

    collection: str
    id: str
    properties: dict[str, Any]
    geometry: dict | None
    lang: str = "en"


@dataclass
class Section:
    """A section's answer: its data, the sources it cites, and why it has nothing when it has nothing."""

    data: dict[str, Any] | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    unavailable: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The section in the report document."""
        return {"data": self.data, "sources": self.sources, "unavailable": self.unavailable}


SectionFn = Callable[[Any, Parcel, Any], Section]
_REGISTRY: dict[str, str] = {"cadastre": "hub.api.processes.cadastre_section:section"}


def register(name: str, dotted: str) -> None:
    """Add (or replace) a section: `name` is its key in the report, `dotted` is "module:callable"."""
    if ":" not in dotted:
        raise ValueError(f"section '{name}': expected 'module:callable', got {dotted!r}")
    _REGISTRY[name] = dotted


def registered() -> dict[str, str]:
    """Section names -> dotted paths, in the order the report runs them."""
    return dict(_REGISTRY)


def load(dotted: str) -> SectionFn:
    """The callable behind a dotted path."""
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def run_all(conn, parcel: Parcel, date, unavailable_text: Callable[[str], str]) -> dict[str, dict]:
    """Every registered section for one parcel; a section that raises is reported unavailable (logged), the
    others still answer."""
    out: dict[str, dict] = {}
    for name, dotted in _REGISTRY.items():
        try:
            result = load(dotted)(conn, parcel, date)
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
            LOG.error("parcel report section %s failed: %s", name, type(exc).__name__, exc_info=exc)
            conn.rollback()
            result = Section(unavailable=unavailable_text(name))
        out[name] = result.as_json()
    return out
