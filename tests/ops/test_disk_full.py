"""A full disk, for real: the site's data folder is a small tmpfs that the test fills.
Requests get a clear 503 naming the disk (pages too), nothing committed is lost, health
says so, and once space is freed the same server works again without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opskit import Pages, free_port, need_tool, run_cli, start_live_server, wait_until, write_config


def _mount(folder: Path, size: str = "6m") -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def small_disk(project: Path) -> Iterator[Path]:
    """``project/var`` on a 6 MB tmpfs."""
    var = project / "var"
    need_tool(_mount(var), "mounting a tmpfs needs root (the test command runs as root in CI)")
    try:
        yield var
    finally:
        subprocess.run(["umount", "-l", str(var)], check=False)


def _fill(var: Path) -> Path:
    """Fill the disk to the last byte; returns the filler file."""
    filler = var / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)

        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 512)

        except OSError:
            pass
    return filler


def _allocate(url: str, token: str, count: int) -> tuple[int, Any, Any]:
    request = urllib.request.Request(
        url + "/api/v1/pools/demo-sscc/allocations", method="POST",
        data=json.dumps({"count": count}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read()), answer.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def _health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/api/v1/health", timeout=30) as answer:
        return dict(json.loads(answer.read()))


def test_a_full_disk_is_a_clear_503_and_the_service_recovers(small_disk: Path) -> None:
    server = start_live_server(small_disk.parent)
    try:
        token = server.cli("tokens", "create", "wms", "--scope", "label").stdout.strip()
        status, first, _ = _allocate(server.url, token, 10)
        assert status == 201
        asn = small_disk.parent / "asn.json"
        asn.write_text(json.dumps({"reference": "ASN-BIG", "lines": [
            {"gtin": "09506000134352", "quantity": 3000, "lot": "L1"}]}))  # fmt: skip
        assert server.cli("receipts", "load", str(asn)).returncode == 0
        page = Pages(server.url)
        assert page.log_in("admin", "admin-password")[0] == 200
        filler = _fill(small_disk)
        status, problem, headers = _allocate(server.url, token, 3000)
        assert status == 503, problem
        assert headers["Content-Type"] == "application/problem+json"
        assert problem["code"] == "disk-full" and problem["type"].endswith("/disk-full")
        assert f"The disk holding {small_disk} is full" in problem["detail"]
        assert "cannot rollback" not in json.dumps(problem)
        token_field = page.csrf("/receiving/ASN-BIG")
        code, html, _ = page.request("/receiving/ASN-BIG/label", {
            "line": "1", "count": "2000", "csrf_token": token_field})  # fmt: skip
        assert code == 503 and f"The disk holding {small_disk} is full" in html
        health = _health(server.url)
        assert health["status"] == "degraded" and "bytes free" in health["checks"]["disk"]

        filler.unlink()  # space is freed: the same process works again
        status, again, _ = _allocate(server.url, token, 3000)
        assert status == 201 and len(again["serials"]) == 3000
        assert wait_until(lambda: _health(server.url)["status"] == "ok", 30), _health(server.url)
        assert Pages(server.url).log_in("admin", "admin-password")[0] == 200
    finally:
        server.stop()
    app_check = run_cli(server.config, "trace", f"(00){first['serials'][0]}")
    assert app_check.returncode == 0, app_check.stderr  # what was committed is still there


def test_serve_starts_on_a_full_disk_and_says_so_in_one_line(small_disk: Path) -> None:
    project = small_disk.parent
    config = write_config(project, {"server": {"host": "127.0.0.1", "port": 0}})
    assert run_cli(config, "init", "--admin-password", "admin-password").returncode == 0
    filler = _fill(small_disk)
    port = free_port()
    log = project / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "labelsvc", "--config", str(config), "serve", "--port", str(port)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=project,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return _health(url)["status"] in {"ok", "degraded"}
            except OSError:
                return False

        assert wait_until(up, 30), log.read_text()
        text = log.read_text()
        assert "Traceback" not in text
        assert sum("is full" in line for line in text.splitlines()) == 1, text
        assert "released the disk reserve to start" in text
        filler.unlink()
        token = run_cli(config, "tokens", "create", "wms", "--scope", "label").stdout.strip()
        assert _allocate(url, token, 5)[0] == 201
    finally:
        process.terminate()
        process.wait(20)
