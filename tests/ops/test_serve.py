"""``labelsvc serve`` as a service manager runs it: says where it listens, fails to start in
one clear line, binds before it prints, drains on SIGTERM, and logs every request."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from opskit import add_zebra, free_port, run_cli, start_live_server, wait_until, write_config

from labelsvc.config import load_settings
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services.app import App


def _serve(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "labelsvc", "--config", str(config), "serve", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=config.parent,
    )  # fmt: skip


def test_serve_says_where_it_listens_and_which_site(project: Path) -> None:
    server = start_live_server(project)
    try:
        urllib.request.urlopen(server.url + "/login").close()
    finally:
        server.stop()
    log = server.log.read_text()
    assert f"INFO [labelsvc] listening on {server.url}/ (site {project}" in log
    assert str(project / "var" / "labelsvc.db") in log
    assert "INFO [labelsvc.requests] GET /login 200" in log  # INFO is not swallowed
    assert "INFO [labelsvc] stopped" in log


def test_a_port_in_use_is_one_line_and_no_job_is_sent(project: Path) -> None:
    config = write_config(project, {"server": {"host": "127.0.0.1"}})
    assert run_cli(config, "init", "--admin-password", "admin-password").returncode == 0
    queued = run_cli(config, "printers", "test", "demo-file", "--no-wait")
    assert queued.returncode == 0, queued.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(config, "--port", str(port))
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"error: Port {port} on 127.0.0.1 is already in use" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    assert not list((project / "var" / "spool").glob("**/*.zpl"))  # workers never started
    jobs = run_cli(config, "jobs", "list").stdout
    assert "queued" in jobs and "sent" not in jobs and "printed" not in jobs


def test_a_test_print_to_an_unreachable_printer_fails(project: Path) -> None:
    config = write_config(project, {"printing": {"connect_timeout_seconds": 0.5}})
    add_zebra(project, free_port(), name="nowhere")
    assert run_cli(config, "init", "--admin-password", "admin-password").returncode == 0
    result = run_cli(config, "printers", "test", "nowhere", "--timeout", "20")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "error: printer nowhere did not print the test label" in result.stderr
    jobs = run_cli(config, "jobs", "list").stdout
    assert "cancelled" in jobs  # it will not come out later, by surprise


def test_sigterm_during_printing_finishes_the_send_and_leaves_nothing_for_a_person(
    project: Path,
) -> None:
    slow = PrinterEmulator(out_dir=project / "emulator", on_label=lambda n, b: time.sleep(0.01))
    with slow:
        add_zebra(project, slow.port)
        server = start_live_server(project)
        app = App.open(load_settings(server.config), create=False)
        # 60 KB a label, 12 MB a job: more than loopback's socket buffers hold, so a job is
        # 'sending' until the slow printer has read most of it
        labels = [f"^XA^FO10,10^FDlabel {n}^FS^FO10,90^FD{'x' * 60000}^FS^XZ".encode()
                  for n in range(600)]  # fmt: skip
        with app.store.write() as tx:
            jobs = print_queue.enqueue_labels(
                tx, printer="zebra", template="unit", labels=labels, requested_by="user:test",
                chunk=200,
            )  # fmt: skip

        def states() -> list[str]:
            with app.store.read() as tx:
                return [j.state for j in (tx.jobs.get(i) for i in jobs) if j is not None]

        assert wait_until(lambda: "sending" in states(), 30), states()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(30) == 0
        final = states()
        assert "sending" not in final and "needs-confirmation" not in final, final
        assert final[0] == "printed"
        log = server.log.read_text()
        assert "SIGTERM: stopping" in log and "[labelsvc] stopped" in log
        sent_labels = sum(200 for s in final if s == "printed")
        assert wait_until(lambda: len(slow.labels) >= sent_labels)


def test_json_log_lines_carry_request_id_actor_and_station(project: Path) -> None:
    server = start_live_server(project, {"server": {"log_format": "json"}})
    try:
        token = server.cli("tokens", "create", "wms", "--scope", "read").stdout.strip()
        request = urllib.request.Request(
            server.url + "/api/v1/pools/demo-units",
            headers={"Authorization": f"Bearer {token}", "X-Request-Id": "wms-req-42"},
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.headers["X-Request-Id"] == "wms-req-42"
    finally:
        server.stop()
    records = [json.loads(line) for line in server.log.read_text().splitlines()
               if line.startswith("{")]  # fmt: skip
    mine = [r for r in records if r.get("request_id") == "wms-req-42"]
    assert len(mine) == 1
    assert mine[0]["path"] == "/api/v1/pools/demo-units" and mine[0]["status"] == 200
    assert mine[0]["actor"] == "client:wms" and mine[0]["level"] == "info"
    assert any(r["message"].startswith("listening on") for r in records)
