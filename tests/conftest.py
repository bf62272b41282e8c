"""Shared fixtures: a migrated store per test, demo data, and actors of each role.

The store is a SQLite *file* per test, and for the store, service, API, flow and printing
tests also a fresh PostgreSQL database on the private cluster that the test command starts
(``LABELSVC_TEST_POSTGRES``): the ``store_kind`` parameter runs each such test on both.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from livekit import ROOT, LiveServer, new_store_url, start_live_server

from labelsvc.config import Settings, settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize

# Test folders whose tests run on both stores; the others (pages, labels, GS1) on SQLite.
BOTH_STORES = {"foundation", "flows", "api", "printing", "multi"}


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


@pytest.fixture
def live_server(project: Path, store_url: str) -> Iterator[LiveServer]:
    """A live server over the test's project folder, stopped after the test."""
    server = start_live_server(project, store_url=store_url)
    yield server
    server.stop()
