"""Eight stations pick at the same moment: the line's counter and the unique index on
active picks, not a check in Python, keep an order from over-picking and a unit from being
picked for two orders (on both stores)."""

from __future__ import annotations

import threading
from collections import Counter

from flows_support import GTIN, hri
from orders_support import stock

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict
from labelsvc.services.app import App
from labelsvc.services.order_files import order_from_mapping
from labelsvc.services.orders import create_order, get_order, pick

STATIONS = 8


def _order(app: App, actor: Actor, ref: str, quantity: int) -> None:
    spec = {"reference": ref, "customer": "ACME", "lines": [{"gtin": GTIN, "quantity": quantity}]}
    create_order(app, order_from_mapping(spec, "test"), actor=actor)


def _race(app: App, attempts: list[list[tuple[str, str]]]) -> list[str]:
    """Each station's (order, scan) attempts, all starting together; every outcome code."""
    gate, found, lock = threading.Barrier(len(attempts)), [], threading.Lock()

    def station(n: int) -> None:
        actor = Actor(name=f"s{n}", kind="user", role="operator", station=f"s{n}")
        gate.wait()
        for order, code in attempts[n]:
            try:
                pick(app, order, code, actor=actor)
                outcome = "ok"
            except Conflict as exc:
                outcome = exc.code
            with lock:
                found.append(outcome)

    threads = [threading.Thread(target=station, args=(n,)) for n in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return found


def test_eight_stations_never_over_pick_a_line(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 24)
    _order(flows, operator, "SO-R1", 5)
    attempts = [[("SO-R1", hri(u)) for u in units[n::STATIONS]] for n in range(STATIONS)]
    outcomes = Counter(_race(flows, attempts))
    assert outcomes == {"ok": 5, "over-pick": 19}
    assert get_order(flows, "SO-R1", actor=operator).lines[0].picked == 5


def test_one_unit_is_picked_for_one_order_only(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 6)
    _order(flows, operator, "SO-RA", 6)
    _order(flows, operator, "SO-RB", 6)
    attempts = [[("SO-RA" if n % 2 else "SO-RB", hri(u)) for u in units] for n in range(STATIONS)]
    outcomes = Counter(_race(flows, attempts))
    assert outcomes["ok"] == 6  # each unit once, on one of the two orders
    assert set(outcomes) <= {"ok", "already-picked", "picked-for-other-order"}
    picked = [get_order(flows, ref, actor=operator).picked for ref in ("SO-RA", "SO-RB")]
    assert sorted(picked[0] + picked[1]) == sorted(hri(u) for u in units)
