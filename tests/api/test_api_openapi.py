"""The OpenAPI document matches the routes, and schemathesis finds nothing against a live server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from apikit import GTIN, Stack
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from labelsvc.config import Settings
from labelsvc.services.app import App
from labelsvc.web import create_app
from labelsvc.web.api.openapi import build


def test_document_and_flask_routes_are_the_same_set(app: App, settings: Settings) -> None:
    flask_app = create_app(settings, app)
    served = {
        (method, rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}"))
        for rule in flask_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and "path:" not in rule.rule
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    document = build()
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert served == documented
    assert document["openapi"] == "3.1.0"


def test_every_schema_in_the_document_is_valid_json_schema() -> None:
    document = build()
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            schemas = [p["schema"] for p in op["parameters"]]
            if "requestBody" in op:
                schemas += [c["schema"] for c in op["requestBody"]["content"].values()]
            for answer in op["responses"].values():
                schemas += [c["schema"] for c in answer.get("content", {}).values()]
            for schema in schemas:
                Draft202012Validator.check_schema(schema)
            assert op["responses"]["default"], (method, path)


def _examples(stack: Stack) -> None:
    """Give the fuzzer real things to find: a receipt, a container, a job."""
    api = stack.api
    api.post("/receipts", {"reference": "ASN-1", "lines": [{"gtin": GTIN, "quantity": 2}]},
             token="receive")  # fmt: skip
    api.post("/labels", {"product": GTIN, "count": 1}, token="label")
    api.post("/containers", {"level": "case"}, token="packer")


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_break(
    stack: Stack, tmp_path: Path
) -> None:
    _examples(stack)
    report = tmp_path / "report.json"
    run = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run",
         f"{stack.server.url}/api/v1/openapi.json",
         "--header", f"Authorization: Bearer {stack.api.tokens['admin']}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_schema_conformance,response_headers_conformance",
         "--max-examples", "10", "--seed", "1", "--workers", "1",
         "--phases", "examples,fuzzing", "--no-shrink",
         "--exclude-path-regex", "allocations$",
         "--report", "ndjson", "--report-ndjson-path", str(report)],
        capture_output=True, text=True, timeout=240, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    events = [json.loads(line) for line in report.read_text().splitlines()]
    tested = {e["ScenarioFinished"]["recorder"]["label"] for e in events if "ScenarioFinished" in e}
    assert len(tested) >= len(build()["paths"]) - 2  # every operation was exercised
