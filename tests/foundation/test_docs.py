"""Every command has help, and the README names every top-level command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from labelsvc.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    assert (command.help or "").strip(), f"labelsvc {' '.join(path)} has no help text"


def test_readme_names_every_top_level_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = main.list_commands(click.Context(main))
    missing = [name for name in names if f"labelsvc {name}" not in readme]
    assert not missing, f"README does not mention: {missing}"
