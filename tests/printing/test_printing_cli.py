"""The printing commands, run through click against a real database file."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from labelsvc.cli import main, printing_cmd

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    printing_cmd.printers,
    printing_cmd.jobs,
    printing_cmd.emulate_printer,
    printing_cmd.work,
]


@pytest.fixture
def cli(config_file: Path) -> CliRunner:
    for command in COMMANDS:
        if command.name not in main.commands:
            main.add_command(command)
    shutil.copy(ROOT / "printers" / "demo-file.toml", config_file.parent / "printers")
    runner = CliRunner()
    init = runner.invoke(main, ["--config", str(config_file), "init", "--admin-password",
                                "admin-password"])  # fmt: skip
    assert init.exit_code == 0, init.output
    return runner


def run(cli: CliRunner, config: Path, *args: str) -> str:
    result = cli.invoke(main, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_printing_command_has_help(cli: CliRunner) -> None:
    def walk(cmd: click.Command, path: list[str]) -> None:
        result = cli.invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and cmd.help, path
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    for command in COMMANDS:
        assert command.name
        walk(command, [command.name])


def test_test_print_on_the_demo_file_printer(cli: CliRunner, config_file: Path) -> None:
    listing = run(cli, config_file, "printers", "list")
    assert "demo-file" in listing and "file" in listing

    out = run(cli, config_file, "printers", "test", "demo-file")
    assert "sent" in out
    files = list((config_file.parent / "var" / "spool" / "demo-file").glob("*.zpl"))
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"^XA") and b"demo-file" in files[0].read_bytes()

    jobs = run(cli, config_file, "jobs", "list", "--state", "sent")
    assert "demo-file" in jobs
    shown = run(cli, config_file, "jobs", "show", "1")
    assert "job-sent" in shown


def test_confirming_a_job_that_needs_none_says_why(cli: CliRunner, config_file: Path) -> None:
    run(cli, config_file, "printers", "test", "demo-file", "--no-wait")
    result = cli.invoke(main, ["--config", str(config_file), "jobs", "confirm", "1", "--printed"])
    assert result.exit_code == 2
    assert "is queued; this needs it to be needs-confirmation" in result.output
    assert "cancelled" in run(cli, config_file, "jobs", "cancel", "1")
