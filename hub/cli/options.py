"""Options and helpers shared by every `hub` command."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")


def emit_json(obj: Any) -> None:
    """Print a JSON document (UTF-8, not ASCII-escaped: Vietnamese stays readable)."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def info(msg: str) -> None:
    """A progress or status line on stderr (stdout stays clean for --json)."""
    click.echo(msg, err=True)


def is_tty() -> bool:
    """Whether stderr is a terminal (progress bars only then)."""
    return sys.stderr.isatty()
