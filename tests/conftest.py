"""Shared fixtures: a migrated store per test, demo data, and actors of each role.

The store is a SQLite *file* per test, and for the store, service, API, flow and printing
tests also a fresh PostgreSQL database on the private cluster that the test command starts
(``LABELSVC_TEST_POSTGRES``): the ``store_kind`` parameter runs each such test on both.
"""

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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from labelsvc.config import Settings, settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get("LABELSVC_TEST_POSTGRES", "")
# Test folders whose tests run on both stores; the others (pages, labels, GS1) on SQLite.
BOTH_STORES = {"foundation", "flows", "api", "printing", "multi"}


def need_tool(available: bool, why: str) -> None:
    """Skip on a laptop that lacks a system tool; under CI=true a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{why} (the test command installs it; CI must not skip)")
    pytest.skip(why)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite's own file")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run store-backed tests once per store kind (``[sqlite]`` and ``[postgresql]``)."""
    if "store_kind" not in metafunc.fixturenames:
        return
    folder = Path(str(metafunc.definition.path)).relative_to(ROOT / "tests").parts[0]
    kinds = ["sqlite"]
    if folder in BOTH_STORES and not metafunc.definition.get_closest_marker("sqlite_only"):
        kinds.append("postgresql")
    metafunc.parametrize("store_kind", kinds, scope="module")


@contextmanager
def new_store_url(store_kind: str) -> Iterator[str]:
    """'' for a SQLite file in the project folder, or a new PostgreSQL database's URL."""
    if store_kind == "sqlite":
        yield ""
        return
    need_tool(bool(POSTGRES_ADMIN_URL), "no test PostgreSQL cluster (LABELSVC_TEST_POSTGRES)")
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store_url(store_kind: str) -> Iterator[str]:
    """The store of one test (see :func:`new_store_url`)."""
    with new_store_url(store_kind) as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database (whatever store the test's own service uses)."""
    with new_store_url("postgresql") as url:
        yield url


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped definitions (pools, printers, templates) in a temp folder."""
    for folder in ("serial_pools", "printers", "zpl"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def settings(project: Path, store_url: str) -> Settings:
    """Settings for a service whose files all live in the test's temp folder."""
    return settings_from_dict(
        {
            "printing": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2},
            "storage": {"url": store_url},
        },
        "test",
        project,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    """An initialized service with the demo product, demo pools and an admin user."""
    service = App.open(settings)
    initialize(service, demo=True, admin_password="admin-password")
    yield service
    service.store.shutdown()


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
    project: Path, config: dict[str, dict[str, object]] | None = None, store_url: str = ""
) -> LiveServer:
    """Init the database and start ``labelsvc serve``; wait until /api/v1/health answers."""
    port = free_port()
    values: dict[str, dict[str, object]] = {
        "server": {"host": "127.0.0.1", "port": port},
        "printing": {"retry_base_seconds": 0.05, "retry_max_seconds": 0.5},
        "storage": {"url": store_url},
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
def live_server(project: Path, store_url: str) -> Iterator[LiveServer]:
    """A live server over the test's project folder, stopped after the test."""
    server = start_live_server(project, store_url=store_url)
    yield server
    server.stop()
