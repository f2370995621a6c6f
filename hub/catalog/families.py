"""The family registry: family name -> dotted path of its spec, loaded lazily (pygeoapi's plugin table).

Adding a family is one line here, one folder under ingest/families/ and one catalog template."""

from __future__ import annotations

import importlib
import os
import re
from functools import cache

from hub.catalog.family import FamilySpec
from hub.errors import ConfigError

FAMILIES: dict[str, str] = {
    "cadastre": "ingest.families.cadastre.spec:SPEC",
    "raster": "ingest.families.raster.spec:SPEC",
}
_PLUGIN = re.compile(r"^([a-z][a-z0-9_]{1,30})=([A-Za-z_][\w.]*:[A-Za-z_][\w.]*)$")


def _plugins() -> dict[str, str]:
    """Families an operator adds without editing this file: HUB_FAMILIES="name=module:SPEC,..." (a province's own
    family, or the tests' probe family); a malformed entry is a configuration error, not ignored."""
    out: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in os.environ.get("HUB_FAMILIES", "").split(","))):
        m = _PLUGIN.match(item)
        if not m:
            raise ConfigError(f"HUB_FAMILIES: '{item}' is not name=module:attribute")
        out[m.group(1)] = m.group(2)
    return out


FAMILIES.update(_plugins())


def load_object(dotted: str) -> object:
    """The object a "module:attribute" path names (only paths written in the code, never user text)."""
    module, _, attr = dotted.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@cache
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
