"""Backup and restore as a site runs them: an online copy during load holds everything
acknowledged before it started; a restore never issues again a serial or SSCC that the lost
database had issued; database, secret and backup files are 0600; old label data is purged."""

from __future__ import annotations

import json
import stat
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opskit import LiveServer, run_cli, start_live_server, write_config

from labelsvc.config import load_settings, settings_from_dict
from labelsvc.services.app import App
from labelsvc.store.backup import integrity_problem

POOLS = ("demo-units", "demo-sscc", "demo-custom")


def _allocate(config: Path, pool: str, count: int) -> set[str]:
    done = run_cli(config, "allocate", "--pool", pool, "--count", str(count))
    assert done.returncode == 0, done.stderr
    values = set(done.stdout.split())
    assert len(values) == count
    return values


def _site(project: Path) -> Path:
    config = write_config(project, {"server": {"host": "127.0.0.1"}})
    assert run_cli(config, "init", "--admin-password", "admin-password").returncode == 0
    return config


def test_after_a_restore_every_pool_issues_only_new_values(project: Path) -> None:
    config = _site(project)
    issued = {pool: _allocate(config, pool, 30) for pool in POOLS}
    backup = project / "before.db"
    assert run_cli(config, "backup", str(backup)).returncode == 0
    for pool in POOLS:  # issued after the backup: the restored database never saw these
        issued[pool] |= _allocate(config, pool, 50)
    restored = run_cli(config, "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "pool demo-sscc: next value 31 -> 10,031" in restored.stdout
    for pool in POOLS:
        fresh = _allocate(config, pool, 100)
        assert not fresh & issued[pool], pool
    app = App.open(load_settings(config), create=False)
    with app.store.read() as tx:
        jumps = tx.events.query(types=["pool-advanced-after-restore"])
    assert {e.subject for e in jumps} == {"pool:demo-sscc", "pool:demo-custom"}


def test_a_restore_with_the_live_database_lost_jumps_by_the_margin(project: Path) -> None:
    config = _site(project)
    issued = {pool: _allocate(config, pool, 10) for pool in POOLS}
    backup = project / "nightly.db"
    assert run_cli(config, "backup", str(backup)).returncode == 0
    for pool in POOLS:
        issued[pool] |= _allocate(config, pool, 200)
    for suffix in ("", "-wal", "-shm"):  # the disk died
        Path(f"{project / 'var' / 'labelsvc.db'}{suffix}").unlink(missing_ok=True)
    restored = run_cli(config, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "could not be read: pools moved by storage.restore_margin" in restored.stdout
    for pool in POOLS:
        assert not _allocate(config, pool, 100) & issued[pool], pool


def test_a_backup_during_load_holds_every_acknowledged_request(project: Path) -> None:
    server = start_live_server(project)
    token = server.cli("tokens", "create", "wms", "--scope", "label").stdout.strip()
    acknowledged: list[tuple[float, list[str]]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            request = urllib.request.Request(
                server.url + "/api/v1/pools/demo-sscc/allocations", method="POST",
                data=json.dumps({"count": 5}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(request) as answer:
                serials = json.loads(answer.read())["serials"]
            acknowledged.append((datetime.now(UTC).timestamp(), serials))

    threads = [threading.Thread(target=load) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        while len(acknowledged) < 20:
            threading.Event().wait(0.05)
        started = datetime.now(UTC).timestamp()
        before = [s for at, serials in list(acknowledged) if at < started for s in serials]
        made = server.cli("backup", str(project / "under-load.db"))
        assert made.returncode == 0, made.stderr
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.stop()
    copy = project / "under-load.db"
    assert integrity_problem(copy) is None
    restored = App.open(settings_from_dict({"storage": {"database": str(copy)}}, "test", project))
    with restored.store.read() as tx:
        values = {r[0] for r in tx.execute("SELECT value FROM items")}
    missing = [s for s in before if s not in values]
    assert not missing and len(before) >= 100


def test_database_secret_and_backup_files_are_private(live_server: LiveServer) -> None:
    var = live_server.project / "var"
    urllib.request.urlopen(live_server.url + "/login").close()
    backup = live_server.project / "b.db"
    assert live_server.cli("backup", str(backup)).returncode == 0
    for path in (var / "labelsvc.db", var / "labelsvc.db-wal", backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not (var / "secret_key").exists()  # the session key is kept inside the database


def test_doctor_names_what_to_fix(project: Path) -> None:
    config = _site(project)
    (project / "var" / "labelsvc.db").chmod(0o644)
    sick = run_cli(config, "doctor")
    assert sick.returncode == 1
    assert f"fix: chmod 600 {project / 'var' / 'labelsvc.db'}" in sick.stdout
    assert "demo-emulator" in sick.stdout and "unreachable" in sick.stdout
    (project / "var" / "labelsvc.db").chmod(0o600)
    well = run_cli(config, "doctor")
    assert well.returncode == 0, well.stdout
    assert "integrity ok" in well.stdout and "all usable" in well.stdout


def test_purge_drops_old_label_data_and_keeps_the_history(project: Path) -> None:
    config = _site(project)
    assert run_cli(config, "print", "--pool", "demo-units", "--count", "3",
                   "--printer", "demo-file").returncode == 0  # fmt: skip
    app = App.open(load_settings(config), create=False)
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="milliseconds")
    with app.store.write() as tx:
        (job,) = tx.jobs.in_state("sent")
        events_before = len(tx.events.query(limit=10_000))
        tx.execute("UPDATE print_jobs SET updated_at = ?", (old,))
    assert run_cli(config, "purge").stdout.strip() == "label data of 1 finished job(s) dropped"
    with app.store.read() as tx:
        assert tx.jobs.payload(job.id) == b""
        assert tx.jobs.get(job.id) is not None
        assert len(tx.events.query(limit=10_000)) == events_before
        assert len(list(tx.execute("SELECT value FROM items"))) == 3
    assert run_cli(config, "purge").stdout.strip() == "label data of 0 finished job(s) dropped"
