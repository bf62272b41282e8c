"""An authority on PostgreSQL and two sites on their own SQLite files, each with a printer.

Both sites lease blocks and label; the authority stops for a while and the sites go on from
their leases until they run out (and say so); when it is back they reconcile, and across the
three databases every serial and SSCC was issued once, every printed label is accounted for,
and trace at the authority shows every site's events.
"""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from livekit import ROOT, LiveServer, free_port, start_live_server, wait_until

from labelsvc.config import load_settings
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App

GTIN = "09506000134352"
UNITS = 'kind = "unit"\nstrategy = "sequential"\ngtins = ["09506000134352"]\n' \
        'pattern = "L{seq:09}"\nrange_start = 1\nrange_end = 999999999\n'  # fmt: skip
SSCCS = 'kind = "sscc"\nstrategy = "sequential"\ncompany_prefix = "9506000"\n' \
        'extension_digit = 5\nrange_start = 1\nrange_end = 999999999\n'  # fmt: skip
QUICK = {
    "leases": {"poll_seconds": 0.2, "report_seconds": 0.2, "timeout_seconds": 2.0},
    "webhooks": {"poll_seconds": 0.05, "retry_base_seconds": 0.1, "retry_max_seconds": 0.5,
                 "timeout_seconds": 2.0},
}  # fmt: skip


def call(server: LiveServer, method: str, path: str, token: str,
         body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:  # fmt: skip
    """One API request; (status, JSON body) whether it succeeded or not."""
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def token(server: LiveServer, name: str, scope: str) -> str:
    made = server.cli("tokens", "create", name, "--scope", scope)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


@dataclass
class Site:
    """A site instance: its server, printer, label token and a reader of its store."""

    name: str
    server: LiveServer
    printer: PrinterEmulator
    token: str
    app: App
    site_token: str  # what it shows the authority

    def label(self, pool: str, count: int) -> tuple[int, dict[str, Any]]:
        return call(self.server, "POST", "/labels", self.token,
                    {"pool": pool, "count": count, "printer": "zebra"})  # fmt: skip

    def issued(self) -> set[tuple[str, str]]:
        with self.app.store.read() as tx:
            rows = tx.execute("SELECT namespace, value FROM items WHERE pool LIKE 'site-%'")
            return {(str(r[0]), str(r[1])) for r in rows}

    def labeled(self) -> set[tuple[str, str]]:
        with self.app.store.read() as tx:
            rows = tx.execute("SELECT namespace, value FROM items WHERE pool LIKE 'site-%'"
                              " AND state <> 'allocated'")  # fmt: skip
            return {(str(r[0]), str(r[1])) for r in rows}


def _authority(project: Path, store_url: str, port: int) -> LiveServer:
    folder = project / "serial_pools"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site-units.toml").write_text(UNITS, encoding="utf-8")
    (folder / "site-sscc.toml").write_text(SSCCS, encoding="utf-8")
    return start_live_server(project, QUICK, store_url, port=port)


BLOCKS = {"site-units": ("120", "40"), "site-sscc": ("12", "4")}  # block, low-water


def _site(
    stack: ExitStack, tmp: Path, name: str, authority: LiveServer, admin: str,
    blocks: dict[str, tuple[str, str]] = BLOCKS,
) -> Site:  # fmt: skip
    project = tmp / name
    shutil.copytree(ROOT / "zpl", project / "zpl")
    (project / "printers").mkdir(parents=True)
    printer = stack.enter_context(PrinterEmulator(out_dir=tmp / f"{name}-printer"))
    (project / "printers" / "zebra.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{printer.port}"\nlanguage = "zpl"\n',
        encoding="utf-8",
    )
    server = start_live_server(project, QUICK)
    stack.callback(server.stop)
    status, site = call(authority, "POST", "/sites", admin, {"name": name})
    assert status == 201, site
    linked = server.cli("lease", "link", "--authority", authority.url, "--site", name,
                        "--token", site["token"])  # fmt: skip
    assert linked.returncode == 0, linked.stderr
    for pool, (block, low) in blocks.items():
        mirrored = server.cli("lease", "pool", pool, "--block", block, "--low-water", low)
        assert mirrored.returncode == 0, mirrored.stderr
    app = App.open(load_settings(server.config))
    stack.callback(app.store.shutdown)
    return Site(name, server, printer, token(server, "line", "label"), app, site["token"])


@pytest.fixture
def authority_port() -> int:
    return free_port()


@pytest.fixture
def three(tmp_path: Path, postgres_url: str, authority_port: int) -> Iterator[
    tuple[list[LiveServer], str, list[Site]]
]:  # fmt: skip
    """The authority (a list, so a test can restart it) with its admin token, and two sites."""
    with ExitStack() as stack:
        authority = [_authority(tmp_path / "authority", postgres_url, authority_port)]
        stack.callback(lambda: authority[0].stop())
        admin = token(authority[0], "root", "admin")
        sites = [_site(stack, tmp_path, name, authority[0], admin) for name in ("north", "south")]
        yield authority, admin, sites


def _has_leases(site: Site) -> bool:
    with site.app.store.read() as tx:
        pools = {b.pool for b in tx.supply.blocks() if b.available > 0}
    return pools >= {"site-units", "site-sscc"}


def _label_until_exhausted(site: Site, pool: str, count: int) -> dict[str, Any]:
    """Label ``count`` at a time until the site refuses; return the refusal."""
    for _ in range(100):
        status, answer = site.label(pool, count)
        if status != 201:
            return answer
    raise AssertionError(f"{site.name} never ran out of {pool}")


def test_sites_label_offline_from_their_leases_and_reconcile_when_the_authority_is_back(
    three: tuple[list[LiveServer], str, list[Site]], tmp_path: Path, postgres_url: str,
    authority_port: int,
) -> None:  # fmt: skip
    authority, admin, sites = three
    assert all(wait_until(lambda s=s: _has_leases(s), timeout=60) for s in sites)
    for site in sites:  # online: label a little from the first blocks
        assert site.label("site-units", 30)[0] == 201
        assert site.label("site-sscc", 3)[0] == 201

    authority[0].stop()  # the authority (or the WAN) goes away
    refusals = [_label_until_exhausted(s, "site-units", 25) for s in sites]
    for refusal in refusals:
        assert refusal["code"] == "lease-exhausted"
        assert "leased serials left" in refusal["detail"]
    for site in sites:
        assert _label_until_exhausted(site, "site-sscc", 2)["code"] == "lease-exhausted"
        assert wait_until(lambda s=site: len(s.printer.labels) == len(s.labeled()), timeout=60)
    offline_labels = sum(len(s.printer.labels) for s in sites)

    authority[0] = _authority(tmp_path / "authority", postgres_url, authority_port)
    for site in sites:  # the sites refill and label again, and report what they did
        assert wait_until(lambda s=site: s.label("site-units", 5)[0] == 201, timeout=60)
        assert wait_until(lambda s=site: len(s.printer.labels) == len(s.labeled()), timeout=60)

    central = App.open(load_settings(authority[0].config))
    try:

        def reconciled() -> bool:
            with central.store.read() as tx:
                rows = tx.execute(
                    "SELECT l.site, i.namespace, i.value, i.state FROM items i"
                    " JOIN leases l ON l.allocation_id = i.allocation_id"
                    " WHERE i.state <> 'allocated'"
                ).fetchall()
            done = {(str(r[0]), str(r[1]), str(r[2])) for r in rows}
            return all({(s.name, *k) for k in s.labeled()} <= done for s in sites)

        assert wait_until(reconciled, timeout=120)
        north, south = (s.issued() for s in sites)
        assert not north & south  # no serial or SSCC issued at both sites
        with central.store.read() as tx:
            own = {
                (str(r[0]), str(r[1]))
                for r in tx.execute(
                    "SELECT i.namespace, i.value FROM items i WHERE i.pool LIKE 'site-%' AND NOT"
                    " EXISTS (SELECT 1 FROM leases l WHERE l.allocation_id = i.allocation_id)"
                )
            }
            counted = tx.execute(
                "SELECT COUNT(*) FROM items WHERE pool LIKE 'site-%' AND state <> 'allocated'"
            ).fetchone()[0]
        assert not own & (north | south)  # nothing the authority issued itself either
        printed = sum(len(s.printer.labels) for s in sites)
        assert printed > offline_labels
        assert counted == sum(len(s.labeled()) for s in sites) == printed
        for site in sites:  # trace at the authority shows the site's own events
            namespace, value = sorted(site.labeled())[0]
            code = value if namespace == "sscc" else f"01{GTIN}21{value}"
            status, events = call(authority[0], "GET", f"/serials/{code}/events", admin)
            assert status == 200, events
            stations = {e.get("station") or "" for e in events["items"]}
            assert any(st.split("/")[0] == site.name for st in stations), events
    finally:
        central.store.shutdown()


def _pending_allocation(site: Site) -> bool:
    with site.app.store.read() as tx:
        row = tx.execute(
            "SELECT COUNT(*) FROM allocations WHERE state = 'pending' AND written > 0"
        ).fetchone()
    return bool(row[0])


def _supply_is_consistent(site: Site) -> bool:
    """Each block's counter matches its free values, and every taken value is one item."""
    with site.app.store.read() as tx:
        counters = tx.execute(
            "SELECT b.id, b.available, (SELECT COUNT(*) FROM supply_values v WHERE"
            " v.block_id = b.id AND v.state = 'available') FROM supply_blocks b"
        ).fetchall()
        taken = tx.execute(
            "SELECT COUNT(*) FROM supply_values v JOIN allocations a ON a.id = v.allocation_id"
            " WHERE a.state = 'complete'"
        ).fetchone()[0]
        items = tx.execute("SELECT COUNT(*) FROM items WHERE pool LIKE 'site-%'").fetchone()[0]
    return all(int(r[1]) == int(r[2]) for r in counters) and taken == items


def test_a_site_killed_mid_allocation_restarts_consistent_and_issues_nothing_twice(
    tmp_path: Path, postgres_url: str, authority_port: int
) -> None:
    with ExitStack() as stack:
        authority = _authority(tmp_path / "authority", postgres_url, authority_port)
        stack.callback(authority.stop)
        admin = token(authority, "root", "admin")
        site = _site(stack, tmp_path, "east", authority, admin, {"site-units": ("100000", "0")})
        assert wait_until(lambda: len(_values(site, "available")) == 100_000, timeout=120)

        answers: list[tuple[int, dict[str, Any]]] = []

        def ask() -> None:
            try:
                answers.append(call(site.server, "POST", "/pools/site-units/allocations",
                                    site.token, {"count": 90_000}))  # fmt: skip
            except (OSError, http.client.HTTPException):  # the server died under the request
                answers.append((0, {}))

        asking = threading.Thread(target=ask)
        asking.start()
        assert wait_until(lambda: _pending_allocation(site), timeout=60)
        site.server.process.kill()  # SIGKILL in the middle of the chunked allocation
        site.server.process.wait(10)
        asking.join(30)
        assert not answers or answers[0][0] != 201  # nobody was handed those serials

        site.server = start_live_server(site.server.project, QUICK)
        stack.callback(site.server.stop)
        assert wait_until(lambda: not _pending_allocation(site), timeout=60)
        assert _supply_is_consistent(site)
        status, again = call(site.server, "POST", "/pools/site-units/allocations", site.token,
                             {"count": 90_000})  # fmt: skip
        assert status == 201, again
        assert _supply_is_consistent(site)
        issued = site.issued()
        assert len(issued) == 90_000  # the killed allocation left nothing behind
        central = App.open(load_settings(authority.config))
        stack.callback(central.store.shutdown)

        def reported() -> bool:
            with central.store.read() as tx:
                return int(
                    tx.execute(
                        "SELECT COALESCE(SUM(used), 0) FROM leases WHERE site = 'east'"
                    ).fetchone()[0]
                ) == len(issued)

        assert wait_until(reported, timeout=120)
        status, found = call(authority, "GET", "/leases/discrepancies", admin)
        assert status == 200 and found["items"] == [], found


def _values(site: Site, state: str) -> list[str]:
    with site.app.store.read() as tx:
        rows = tx.execute(
            "SELECT v.value FROM supply_values v JOIN supply_blocks b ON b.id = v.block_id"
            " WHERE b.origin = 'lease' AND v.state = ? ORDER BY b.id, v.position",
            (state,),
        )
        return [str(r[0]) for r in rows]


def test_an_expired_lease_is_issued_nowhere_until_returned_and_a_printed_serial_never_returns(
    tmp_path: Path, postgres_url: str, authority_port: int
) -> None:
    with ExitStack() as stack:
        project = tmp_path / "authority"
        (project / "serial_pools").mkdir(parents=True)
        few = UNITS.replace("L{seq:09}", "F{seq:04}").replace("999999999", "50")
        (project / "serial_pools" / "site-few.toml").write_text(few, encoding="utf-8")
        quick = {**QUICK, "leases": {**QUICK["leases"], "lease_days": 0.0002}}  # ~17 s
        authority = start_live_server(project, quick, postgres_url, port=authority_port)
        stack.callback(authority.stop)
        admin = token(authority, "root", "admin")
        north = _site(stack, tmp_path, "north", authority, admin, {"site-few": ("50", "0")})
        assert wait_until(lambda: len(_values(north, "available")) == 50, timeout=60)
        leased = _values(north, "available")  # the whole pool: nothing left to lease again
        assert north.label("site-few", 5)[0] == 201
        assert wait_until(lambda: len(north.printer.labels) == 5, timeout=60)
        with north.app.store.read() as tx:
            link = tx.execute("SELECT name FROM webhook_subscriptions WHERE kind = 'authority'"
                              ).fetchone()[0]  # fmt: skip
            lease_id = int(tx.supply.blocks("site-few")[0].reference)
        assert north.server.cli("webhooks", "pause", link).returncode == 0  # returns wait

        def expired() -> bool:
            with north.app.store.read() as tx:
                return any(b.state == "expired" for b in tx.supply.blocks("site-few"))

        assert wait_until(expired, timeout=60)
        refused = north.label("site-few", 1)
        assert refused[0] == 409 and refused[1]["code"] == "lease-exhausted"
        status, own = call(authority, "POST", "/pools/site-few/allocations", admin, {"count": 1})
        assert status == 409 and own["code"] == "pool-exhausted"  # not issued here either

        assert north.server.cli("webhooks", "resume", link).returncode == 0

        def lease() -> dict[str, Any]:
            return call(authority, "GET", f"/leases/{lease_id}", admin)[1]

        assert wait_until(lambda: lease().get("returned") == 45, timeout=60)
        south = _site(stack, tmp_path, "south", authority, admin, {"site-few": ("40", "0")})
        assert wait_until(lambda: len(_values(south, "available")) == 40, timeout=60)
        again = _values(south, "available")
        printed = leased[:5]
        assert len(again) == 40 and set(again) <= set(
            leased[5:]
        )  # the returned ones, never the printed ones

        assert wait_until(lambda: lease()["used"] >= 5, timeout=60)  # its printing reported
        status, answer = call(authority, "POST", f"/leases/{lease_id}/returns",
                              north.site_token, {"serials": printed[:1]})  # fmt: skip
        assert status == 200 and (answer["applied"], answer["refused"]) == (0, 1), answer
        assert lease()["returned"] == 45
        status, found = call(authority, "GET", "/leases/discrepancies", admin)
        assert [(d["kind"], d["value"]) for d in found["items"]] == [("return-of-used", printed[0])]
