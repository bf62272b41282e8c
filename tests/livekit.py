"""Helpers every test folder shares: live ``labelsvc serve`` processes, CLI runs, test stores.

An importable module (``tests/`` is on the path through its conftest), so the kits of each
folder import these instead of loading ``conftest.py`` by its file path.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get("LABELSVC_TEST_POSTGRES", "")


def need_tool(available: bool, why: str) -> None:
    """Skip on a laptop that lacks a system tool; under CI=true a missing tool is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{why} (the test command installs it; CI must not skip)")
    pytest.skip(why)


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
    project: Path, config: dict[str, dict[str, object]] | None = None, store_url: str = "",
    port: int | None = None,
) -> LiveServer:  # fmt: skip
    """Init the database and start ``labelsvc serve``; wait until /api/v1/health answers.

    ``port``: the one to listen on (a restarted server keeps its address for its clients).
    """
    port = port or free_port()
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


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll until ``predicate()`` holds; False after ``timeout``. A bound on how long a test
    waits for a state, never a timing assertion (speed is measured in benchmarks/)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
