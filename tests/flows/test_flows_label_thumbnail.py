"""A closed case's label thumbnail is drawn even before a print worker has rendered the job:
the packing page asks for it at once, and a browser caches what it first gets."""

from __future__ import annotations

import io

import zxingcpp
from flows_support import GTIN, hri
from orders_support import stock
from PIL import Image

from labelsvc.domain.actors import Actor
from labelsvc.services import packing
from labelsvc.services.app import App
from labelsvc.services.barcodes import job_thumbnail


def test_the_thumbnail_of_a_queued_case_label_shows_its_sscc(
    flows: App, operator: Actor, admin: Actor
) -> None:
    units = stock(flows, operator, 2)
    case = packing.open_case(flows, actor=operator, gtin=GTIN)
    for unit in units:
        packing.add_to_container(flows, case.sscc, hri(unit), actor=operator)
    closed = packing.close_container(flows, case.sscc, actor=operator, reason="test")
    (job_id,) = closed.job_ids  # no worker runs here: the job is still queued, unrendered
    image = Image.open(io.BytesIO(job_thumbnail(flows, admin, job_id))).convert("L")
    assert image.width > 100
    big = image.resize((image.width * 3, image.height * 3))
    assert any(case.sscc in r.text for r in zxingcpp.read_barcodes(big)), "no SSCC on it"
