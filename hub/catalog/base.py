"""Base pieces of every catalog model: strict parsing, NFC text, rule settings (light: no GIS imports)."""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IDENT = r"^[a-z][a-z0-9_]{0,62}$"
Severity = Literal["info", "warn", "error"]


class Strict(BaseModel):
    """Base: unknown keys are errors (a typo in a catalog must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def nfc(value: str) -> str:
    """Reject non-NFC text: catalogs are the source of published metadata."""
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("text must be NFC-normalised Unicode")
    return value


class Rule(Strict):
    """A validation rule's severity, whether it blocks publication, and its parameters."""

    severity: Severity
    blocks_publish: bool = False
    params: dict[str, float | int | str | bool] = Field(default_factory=dict)
    title: str | None = Field(None, description="What the rule checks (shown by `hub catalog rules`)")


class NoOptions(Strict):
    """A family without options of its own."""
