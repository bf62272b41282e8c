"""Externally issued serials: importing a checked list, paging a large allocation, and a
refill from an issuer over HTTP; each beside a reference in the same run, interleaved."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from common import ROOT, fresh_app, median, ms

from labelsvc.domain.actors import Actor
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.allocation import allocate
from labelsvc.services.allocation_returns import request_serials, serials_page
from labelsvc.services.app import App
from labelsvc.services.issuer_client import configure_issuer, refill_from_issuers
from labelsvc.services.pools import save_pool
from labelsvc.services.supply import receive_block
from labelsvc.services.supply_files import import_list, list_checksum

sys.path.insert(0, str(ROOT / "tests"))
from issuerkit import Issuer  # the tests' stand-in issuer, a real HTTP server

ACTOR = Actor(name="bench", kind="user", role="admin")
LIST = 10_000
BIG = 25_000
ROUNDS = 5


def _pool(app: App, name: str) -> str:
    save_pool(app.store, PoolSpec(name=name, kind="custom", supply="list"), ACTOR)
    return name


def _files(serials: list[str]) -> tuple[bytes, bytes]:
    csv = f"# count: {len(serials)}\n# sha256: {list_checksum(serials)}\nserial\n"
    csv += "".join(f"{s}\n" for s in serials)
    xml = f'<serialList count="{len(serials)}" sha256="{list_checksum(serials)}">\n'
    xml += "".join(f"<serial>{s}</serial>\n" for s in serials) + "</serialList>\n"
    return csv.encode(), xml.encode()


def _imports(app: App) -> list[tuple[str, str]]:
    times: dict[str, list[float]] = {"csv": [], "xml": [], "ref": []}
    for r in range(ROUNDS):
        serials = [f"R{r}-{n:06}" for n in range(LIST)]
        for kind in ("csv", "xml", "ref"):
            values = [f"{kind}-{s}" for s in serials]
            pool = _pool(app, f"{kind}-{r}")
            csv, xml = _files(values)
            started = time.perf_counter()
            if kind == "ref":
                with app.store.write() as tx:
                    receive_block(tx, pool=pool, gtin=None, origin=BlockOrigin.FILE,
                                  reference=pool, values=values, actor=ACTOR)  # fmt: skip
            else:
                import_list(app.store, pool, f"l.{kind}", csv if kind == "csv" else xml,
                            actor=ACTOR)  # fmt: skip
            times[kind].append(time.perf_counter() - started)
    ref = median(times["ref"])
    return [
        (f"import of {LIST:,} serials from CSV (checked), median of {ROUNDS}",
         f"{ms(median(times['csv']))} ({median(times['csv']) / ref:.2f}x reference)"),
        (f"import of {LIST:,} serials from XML (checked), median of {ROUNDS}",
         f"{ms(median(times['xml']))} ({median(times['xml']) / ref:.2f}x reference)"),
        ("reference: receive_block of the same values, no file", ms(ref)),
    ]  # fmt: skip


def _pages(app: App) -> list[tuple[str, str]]:
    pool = _pool(app, "big")
    with app.store.write() as tx:
        values = [f"B-{n:07}" for n in range(BIG * 2 * ROUNDS)]
        receive_block(tx, pool=pool, gtin=None, origin=BlockOrigin.FILE, reference="big",
                      values=values, actor=ACTOR)  # fmt: skip
    paged, plain = [], []
    for r in range(ROUNDS):
        started = time.perf_counter()
        page = request_serials(app.store, pool, BIG, actor=ACTOR, collection_id=f"c-{r}")
        got = len(page.serials)
        while page.continuation is not None:
            page = serials_page(app.store, page.id, actor=ACTOR, continuation=page.continuation)
            got += len(page.serials)
        paged.append(time.perf_counter() - started)
        assert got == BIG
        started = time.perf_counter()
        allocate(app.store, pool, BIG, actor=ACTOR)
        plain.append(time.perf_counter() - started)
    return [
        (f"allocation of {BIG:,} by collection id, then every page, median",
         f"{ms(median(paged))} ({median(paged) / median(plain):.2f}x reference)"),
        (f"reference: allocate() of {BIG:,} from the same pool, interleaved", ms(median(plain))),
    ]  # fmt: skip


def _refills(app: App) -> list[tuple[str, str]]:
    issuer = Issuer(page=1_000).start()
    try:
        ours, bare = [], []
        for r in range(ROUNDS):
            pool = _pool(app, f"issued-{r}")
            configure_issuer(app, pool, url=issuer.url, token=issuer.token, block=LIST,
                             low_water=1, actor=ACTOR)  # fmt: skip
            started = time.perf_counter()
            assert refill_from_issuers(app) == 1
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            _bare_pages(issuer, f"bare-{r}")
            bare.append(time.perf_counter() - started)
    finally:
        issuer.stop()
    return [
        (f"refill of {LIST:,} serials from an issuer (10 pages over HTTP), median",
         f"{ms(median(ours))} ({median(ours) / median(bare):.2f}x reference)"),
        ("reference: the same 10 pages with bare urllib (stored: see import)",
         ms(median(bare))),
    ]  # fmt: skip


def _bare_pages(issuer: Issuer, collection: str) -> None:
    continuation = None
    while True:
        body = json.dumps({"collection_id": collection, "count": LIST,
                           "continuation": continuation}).encode()  # fmt: skip
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {issuer.token}"}
        request = urllib.request.Request(issuer.url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            continuation = json.loads(answer.read())["continuation"]
        if continuation is None:
            return


def run() -> list[tuple[str, str]]:
    """All external-serial figures."""
    app = fresh_app()
    try:
        return _imports(app) + _pages(app) + _refills(app)
    finally:
        app.store.shutdown()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for figure, value in run():
        print(f"{figure:<62} {value}")
