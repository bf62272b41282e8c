"""Externally issued serials: lists imported from checked files, refills from an issuer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from issuerkit import Issuer
from livekit import run_cli, write_config
from storekit import rows, scalar

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.issuer_client import configure_issuer, refill_from_issuers, supply_status
from labelsvc.services.pools import save_pool
from labelsvc.services.supply_files import import_list, list_checksum
from labelsvc.services.webhooks import list_subscriptions

LISTED = PoolSpec(name="issued", kind="custom", supply="list", description="from the MAH")
SERIALS = [f"EXT-{n:05}" for n in range(10_000)]


def csv_file(serials: list[str], sha256: str | None = None, count: int | None = None) -> bytes:
    head = f"# labelsvc serial list 1\n# count: {len(serials) if count is None else count}\n"
    head += f"# sha256: {sha256 or list_checksum(serials)}\nserial\n"
    return (head + "".join(f"{s}\n" for s in serials)).encode()


def xml_file(serials: list[str], sha256: str | None = None) -> bytes:
    body = "".join(f"  <serial>{s}</serial>\n" for s in serials)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<serialList xmlns="urn:x" count='
            f'"{len(serials)}" sha256="{sha256 or list_checksum(serials)}">\n{body}'
            "</serialList>\n").encode()  # fmt: skip


@pytest.fixture
def issued(app: App, admin: Actor) -> App:
    save_pool(app.store, LISTED, admin)
    return app


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    found = Issuer(page=700).start()
    yield found
    found.stop()


def _stored(app: App) -> tuple[int, int]:
    return (scalar(app, "SELECT COUNT(*) FROM supply_blocks WHERE pool = 'issued'"),
            scalar(app, "SELECT COUNT(*) FROM supply_values"))  # fmt: skip


@pytest.mark.parametrize("make", [csv_file, xml_file], ids=["csv", "xml"])
def test_a_list_with_a_wrong_checksum_is_refused_and_nothing_is_stored(
    issued: App, admin: Actor, make: object
) -> None:
    assert callable(make)
    changed = [*SERIALS[:-1], "EXT-99999"]  # one serial differs from what was checksummed
    with pytest.raises(InvalidInput) as refused:
        import_list(issued.store, "issued", "mah.list", make(changed, list_checksum(SERIALS)),
                    actor=admin)  # fmt: skip
    assert refused.value.code == "supply-file-checksum"
    assert "Nothing was imported" in refused.value.detail
    assert _stored(issued) == (0, 0)


def test_a_wrong_count_a_repeated_or_malformed_serial_is_refused_naming_the_line(
    issued: App, admin: Actor
) -> None:
    cases = [
        (csv_file(SERIALS[:10], count=11), "supply-file-count", "line 1"),
        (csv_file([*SERIALS[:5], SERIALS[2]]), "supply-file-duplicate", "line 10"),
        (csv_file([*SERIALS[:3], "BAD SERIAL\u00e9"]), "serial-invalid", "line 8"),
        (b"<serialList count='1' sha256='x'><serial>A</serial>", "supply-file-invalid", "line 1"),
        (b"# count: 1\nserial\nA\n", "supply-file-unchecked", "line 1"),
        (
            b'<!DOCTYPE l [<!ENTITY a "EXT">]>\n<serialList count="1" sha256="x"><serial>&a;'
            b"</serial></serialList>",
            "supply-file-invalid",
            "a DTD is not allowed",
        ),
    ]
    for data, code, where in cases:
        with pytest.raises(InvalidInput) as refused:
            import_list(issued.store, "issued", "mah.csv", data, actor=admin)
        assert refused.value.code == code, refused.value.detail
        assert where in refused.value.detail, refused.value.detail
    assert _stored(issued) == (0, 0)


def test_a_list_with_a_serial_already_issued_is_refused_whole(
    issued: App, admin: Actor, operator: Actor
) -> None:
    import_list(issued.store, "issued", "first.csv", csv_file(SERIALS[:10]), actor=admin)
    allocate(issued.store, "issued", 3, actor=operator)
    with pytest.raises(Conflict) as refused:
        import_list(issued.store, "issued", "second.xml", xml_file(["NEW-1", SERIALS[1]]),
                    actor=admin)  # fmt: skip
    assert refused.value.code == "serial-duplicate"
    assert "second.xml line 4" in refused.value.detail
    assert _stored(issued) == (1, 10)


def test_a_correct_list_is_issued_in_order_once_each_then_refills_from_its_issuer(
    issued: App, admin: Actor, operator: Actor, issuer: Issuer
) -> None:
    done = import_list(issued.store, "issued", "mah.csv", csv_file(SERIALS), actor=admin)
    assert (done.count, done.format) == (10_000, "csv")
    configure_issuer(issued, "issued", url=issuer.url, token=issuer.token, block=2_500,
                     low_water=1_000, actor=admin)  # fmt: skip
    assert refill_from_issuers(issued) == 0  # 10,000 left: above the low-water mark
    got: list[str] = []
    for _ in range(4):
        got += allocate(issued.store, "issued", 2_300, actor=operator).serials
    assert got == SERIALS[:9_200]  # in file order
    assert refill_from_issuers(issued) == 1  # 800 left: below 1,000
    assert refill_from_issuers(issued) == 0  # 3,300 left
    assert len(issuer.requests) == 4  # one block in pages of 700: 4 pages
    got += allocate(issued.store, "issued", 3_300, actor=operator).serials
    assert got == SERIALS + issuer.blocks[issuer.requests[0]["collection_id"]]
    assert len(set(got)) == len(got) == 12_500
    issued_here = rows(issued, "SELECT COUNT(*), COUNT(DISTINCT value) FROM items"
                               " WHERE pool = 'issued'")  # fmt: skip
    assert issued_here == [(12_500, 12_500)]
    [status] = supply_status(issued, admin)
    assert status.issuer is not None and status.issuer.token == "***"
    assert (status.available, status.issuer.pending_collection) == (0, None)


def test_an_issuer_answer_lost_on_the_way_is_asked_again_with_the_same_collection_id(
    issued: App, admin: Actor, operator: Actor, issuer: Issuer
) -> None:
    configure_issuer(issued, "issued", url=issuer.url, token=issuer.token, block=1_500,
                     low_water=10, actor=admin)  # fmt: skip
    issuer.drop_first = 1
    assert refill_from_issuers(issued) == 0  # the issuer computed a block; the answer was lost
    [status] = supply_status(issued, admin)
    assert status.issuer is not None and status.issuer.last_error
    pending = status.issuer.pending_collection
    assert pending is not None and list(issuer.blocks) == [pending]
    assert refill_from_issuers(issued) == 1  # retried with the same id: the same block
    assert refill_from_issuers(issued) == 0
    assert list(issuer.blocks) == [pending] and issuer.issued == 1_500  # one block taken
    assert {r["collection_id"] for r in issuer.requests} == {pending}
    assert allocate(issued.store, "issued", 1_500, actor=operator).serials == issuer.blocks[pending]
    assert _stored(issued) == (1, 1_500)


def test_an_issuer_with_a_report_url_gets_a_subscription_to_list_usage(
    issued: App, admin: Actor, issuer: Issuer
) -> None:
    made = configure_issuer(issued, "issued", url=issuer.url, block=100, low_water=10,
                            report_url="http://127.0.0.1:9/usage", actor=admin)  # fmt: skip
    assert made.report_secret
    [sub] = [s for s in list_subscriptions(issued, actor=admin) if s.name == "issuer-issued"]
    assert (sub.url, list(sub.topics)) == ("http://127.0.0.1:9/usage", ["list.usage"])
    again = configure_issuer(issued, "issued", url=issuer.url, block=200, low_water=10,
                             report_url="http://127.0.0.1:9/usage", actor=admin)  # fmt: skip
    assert again.report_secret is None and again.issuer.block == 200


def test_a_wrong_issuer_token_stores_nothing_and_says_why(
    issued: App, admin: Actor, issuer: Issuer
) -> None:
    configure_issuer(issued, "issued", url=issuer.url, token="wrong", block=100, low_water=10,
                     actor=admin)  # fmt: skip
    assert refill_from_issuers(issued) == 0
    [status] = supply_status(issued, admin)
    assert status.issuer is not None and "HTTP 401" in (status.issuer.last_error or "")
    assert _stored(issued) == (0, 0)


def test_the_command_line_imports_a_list_names_an_issuer_refills_and_shows_status(
    issued: App, project: Path, store_url: str, issuer: Issuer
) -> None:
    config = write_config(project, {"storage": {"url": store_url}})
    good, bad = project / "mah.xml", project / "bad.csv"
    good.write_bytes(xml_file(SERIALS[:20]))
    bad.write_bytes(csv_file(SERIALS[:20], count=19))
    refused = run_cli(config, "supply", "import", "issued", str(bad))
    assert refused.returncode != 0 and "bad.csv line 1" in refused.stderr, refused.stderr
    done = run_cli(config, "supply", "import", "issued", str(good))
    assert done.returncode == 0 and "20 serials from mah.xml (xml" in done.stdout, done.stderr
    named = run_cli(config, "supply", "issuer", "issued", "--url", issuer.url, "--token",
                    issuer.token, "--block", "50", "--low-water", "30")  # fmt: skip
    assert named.returncode == 0, named.stderr
    assert "1 block(s) received" in run_cli(config, "supply", "refill").stdout
    status = run_cli(config, "supply", "status", "--json")
    assert status.returncode == 0, status.stderr
    [shown] = json.loads(status.stdout)
    assert shown["available"] == 70 and issuer.token not in status.stdout


def test_two_instances_refilling_at_once_store_one_block(
    issued: App, admin: Actor, issuer: Issuer
) -> None:
    configure_issuer(issued, "issued", url=issuer.url, token=issuer.token, block=2_000,
                     low_water=10, actor=admin)  # fmt: skip
    other = App.open(issued.settings)
    try:
        with ThreadPoolExecutor(4) as pool:
            done = list(pool.map(refill_from_issuers, [issued, other, issued, other]))
    finally:
        other.store.shutdown()
    assert sum(done) == 1 and issuer.issued == 2_000 and len(issuer.blocks) == 1
    assert _stored(issued) == (1, 2_000)
    [status] = supply_status(issued, admin)
    assert status.issuer is not None and status.issuer.last_error is None
