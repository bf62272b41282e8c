"""Two OS processes add the same units to two different cases at the same moment."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from flows_support import GTIN, hri

from labelsvc.domain.actors import Actor
from labelsvc.services import packing, trace
from labelsvc.services.app import App
from labelsvc.services.receipt_files import receipt_from_mapping
from labelsvc.services.receiving import load_receipt, receive_untagged

WORKER = """
import json, sys, time
from pathlib import Path
from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict
from labelsvc.services import packing
from labelsvc.services.app import App

project, case, go, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
scans, url = json.loads(sys.argv[5]), sys.argv[6]
app = App.open(settings_from_dict({"storage": {"busy_timeout_ms": 60000, "url": url}}, "test",
                                  project))
actor = Actor(name=out.stem, kind="user", role="operator", station=out.stem)
(out.with_suffix(".ready")).write_text("ready")
while not go.exists():
    time.sleep(0.001)
results = []
for scan in scans:
    try:
        packing.add_to_container(app, case, scan, actor=actor)
        results.append(["ok", ""])
    except Conflict as exc:
        results.append([exc.code, exc.detail])
out.write_text(json.dumps(results))
"""


def test_one_unit_two_cases_two_processes(flows: App, operator: Actor, tmp_path: Path) -> None:
    spec = receipt_from_mapping({"reference": "R", "lines": [{"gtin": GTIN, "quantity": 10}]}, "t")
    load_receipt(flows, spec, actor=operator)
    scans = [hri(u) for u in receive_untagged(flows, "R", 1, 10, actor=operator).items]
    cases = [packing.open_case(flows, actor=operator, gtin=GTIN).sscc for _ in range(2)]
    go, outs = tmp_path / "go", [tmp_path / "left.json", tmp_path / "right.json"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(flows.settings.base_dir),
                case,
                str(go),
                str(out),
                json.dumps(scans),
                flows.settings.storage.url,
            ],
            stderr=subprocess.PIPE,
        )
        for case, out in zip(cases, outs, strict=True)
    ]
    deadline = time.monotonic() + 120
    while not all(o.with_suffix(".ready").exists() for o in outs) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.write_text("go")
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()

    left, right = (json.loads(o.read_text()) for o in outs)
    for scan, a, b in zip(scans, left, right, strict=True):
        outcomes = sorted([a[0], b[0]])
        assert outcomes == ["in-another-container", "ok"], (scan, a, b)
        winner = cases[0] if a[0] == "ok" else cases[1]
        loser_detail = b[1] if a[0] == "ok" else a[1]
        assert winner in loser_detail  # the conflict names the case that holds the unit
        t = trace.trace(flows, scan, actor=operator)
        assert [x.value for x in t.ancestors] == [winner]
        assert [e.type for e in t.timeline].count("packed") == 1
    counts = [packing.get_container(flows, c, actor=operator).count for c in cases]
    assert sum(counts) == 10
