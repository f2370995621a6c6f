"""The family registry: family name -> dotted path of its spec, loaded lazily (pygeoapi's plugin table).

Adding a family is one line here, one folder under ingest/families/ and one catalog template."""

from __future__ import annotations

import importlib
from functools import lru_cache

from hub.catalog.family import FamilySpec
from hub.errors import ConfigError

FAMILIES: dict[str, str] = {
    "cadastre": "ingest.families.cadastre.spec:SPEC",
}


def load_object(dotted: str) -> object:
    """The object a "module:attribute" path names (only paths written in the code, never user text)."""
    module, _, attr = dotted.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@lru_cache(maxsize=None)
def spec(name: str) -> FamilySpec:
    """The spec of a registered family (ConfigError naming the known ones otherwise)."""
    if name not in FAMILIES:
        raise ConfigError(f"unknown family '{name}'; registered: {', '.join(sorted(FAMILIES))}")
    got = load_object(FAMILIES[name])
    if not isinstance(got, FamilySpec) or got.name != name:
        raise ConfigError(f"{FAMILIES[name]} is not the FamilySpec of '{name}'")
    return got


def names() -> list[str]:
    """Registered family names."""
    return sorted(FAMILIES)
