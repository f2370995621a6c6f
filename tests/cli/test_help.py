"""Every command explains itself with an example; exit codes are documented."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hub.cli.main import cli


def _commands(group: click.Group, prefix=()):
    """All (path, command) pairs under a group."""
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=" ".join)
def test_help_has_example(path):
    """`hub <cmd> --help` works and shows an example."""
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output or "example" in result.output


def test_top_help_lists_exit_codes():
    """`hub --help` documents exit codes."""
    result = CliRunner().invoke(cli, ["--help"])
    assert "Exit codes" in result.output and "CRS error" in result.output
