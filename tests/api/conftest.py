"""Fixtures of the API tests: one live stack per module, print workers on demand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apikit import Api, Stack, new_store_url, start_stack

from labelsvc.services.print_queue import WorkerSet


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, store_kind: str) -> Iterator[Stack]:
    """One live stack per test module and store; print workers start on demand."""
    with new_store_url(store_kind) as url:
        found = start_stack(tmp_path_factory.mktemp("api"), url)
        yield found
        found.server.stop()
        found.emulator.stop()
        found.app.store.shutdown()


@pytest.fixture(scope="module")
def workers(stack: Stack) -> Iterator[WorkerSet]:
    """Print workers over the stack's database, polling often."""
    ws = WorkerSet(stack.app, poll_seconds=0.1).start()
    yield ws
    ws.stop()


@pytest.fixture
def api(stack: Stack) -> Api:
    return stack.api
