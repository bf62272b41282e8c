"""Shared fixtures: a migrated SQLite *file* per test, demo data, and actors of each role."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labelsvc.config import Settings, settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"


def need_tool(available: bool, why: str) -> None:
    """Skip on a laptop that lacks a system tool; under CI=true a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{why} (the test command installs it; CI must not skip)")
    pytest.skip(why)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped definitions (pools, printers, templates) in a temp folder."""
    for folder in ("serial_pools", "printers", "zpl"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    """Settings for a service whose files all live in the test's temp folder."""
    return settings_from_dict(
        {"printing": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2}},
        "test",
        project,
    )


@pytest.fixture
def app(settings: Settings) -> App:
    """An initialized service with the demo product, demo pools and an admin user."""
    service = App.open(settings)
    initialize(service, demo=True, admin_password="admin-password")
    return service


@pytest.fixture
def admin() -> Actor:
    return Actor(name="ada", kind="user", role="admin", station="test")


@pytest.fixture
def supervisor() -> Actor:
    return Actor(name="sam", kind="user", role="supervisor", station="test")


@pytest.fixture
def operator() -> Actor:
    return Actor(name="olga", kind="user", role="operator", station="test")


@dataclass
class LiveServer:
    """A real ``labelsvc serve`` process on a free loopback port."""

    url: str
    project: Path
    config: Path
    process: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a ``labelsvc`` command against the same config and database."""
        return run_cli(self.config, *args, input=input)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(config: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``labelsvc --config CONFIG ARGS`` in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "labelsvc", "--config", str(config), *args],
        capture_output=True, text=True, input=input, timeout=120, cwd=config.parent,
    )  # fmt: skip


def write_config(project: Path, values: dict[str, dict[str, object]]) -> Path:
    """Write a config.toml into ``project`` from nested values."""
    lines = []
    for section, keys in values.items():
        lines.append(f"[{section}]")
        for key, value in keys.items():
            lines.append(f"{key} = {json.dumps(value)}")
    path = project / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_live_server(
    project: Path, config: dict[str, dict[str, object]] | None = None
) -> LiveServer:
    """Init the database and start ``labelsvc serve``; wait until /api/v1/health answers."""
    port = free_port()
    values: dict[str, dict[str, object]] = {
        "server": {"host": "127.0.0.1", "port": port},
        "printing": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.5},
    }
    for section, keys in (config or {}).items():
        values.setdefault(section, {}).update(keys)
    cfg = write_config(project, values)
    init = run_cli(cfg, "init", "--admin-password", "admin-password")
    assert init.returncode == 0, init.stderr
    log = project / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "labelsvc", "--config", str(cfg), "serve"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=project,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"labelsvc serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as r:
                if r.status == 200:
                    return LiveServer(url, project, cfg, process, log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"labelsvc serve did not answer in 30 s: {log.read_text()}")


@pytest.fixture
def live_server(project: Path) -> Iterator[LiveServer]:
    """A live server over the test's project folder, stopped after the test."""
    server = start_live_server(project)
    yield server
    server.stop()
