"""The outbox: a message exists exactly when the change it reports was committed."""

from __future__ import annotations

import pytest

from labelsvc.domain.topics import Topic
from labelsvc.services.app import App


def test_a_message_written_in_a_rolled_back_transaction_is_not_there(app: App) -> None:
    with app.store.write() as tx:
        kept = tx.outbox.add(Topic.CONTAINER_CLOSED, {"sscc": "1"}, subject="container:1")
    with pytest.raises(RuntimeError), app.store.write() as tx:
        tx.outbox.add(Topic.CONTAINER_CLOSED, {"sscc": "2"}, subject="container:2")
        raise RuntimeError("the change failed")
    with app.store.read() as tx:
        messages = tx.outbox.after(0)
    assert [(m.message_id, m.payload) for m in messages] == [(kept, {"sscc": "1"})]
    assert messages[0].topic == "container.closed"


def test_message_ids_are_unique_and_read_in_order(app: App) -> None:
    with app.store.write() as tx:
        ids = [tx.outbox.add(Topic.POOL_LOW, {"n": n}) for n in range(5)]
    with app.store.read() as tx:
        after_two = tx.outbox.after(tx.outbox.after(0, limit=2)[-1].id)
        by_topic = tx.outbox.by_topic(Topic.POOL_LOW, limit=3)
    assert len(set(ids)) == 5
    assert [m.payload["n"] for m in after_two] == [2, 3, 4]
    assert [m.payload["n"] for m in by_topic] == [2, 3, 4]
