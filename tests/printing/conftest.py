"""Fixtures for printing: a migrated SQLite file, printer files, the emulator, cupsd.

``cups_server`` starts a private cupsd (own config and spool under /tmp, own port). On a
laptop without CUPS those tests skip; under ``CI=true`` a missing CUPS is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from printing_support import free_port, wait_until

from labelsvc.config import load_settings
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.printers import sync_printers

CONFIG = """
[storage]
database = "var/test.db"

[paths]
printers = "printers"
spool = "var/spool"

[printing]
retry_base_seconds = 0.05
retry_max_seconds = 0.2
connect_timeout_seconds = 1.0
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    (tmp_path / "printers").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def app(config_file: Path) -> Iterator[App]:
    application = App.open(load_settings(config_file))
    yield application
    application.store.close()


@pytest.fixture
def add_printer(app: App) -> Callable[..., None]:
    """Write ``printers/<name>.toml`` and load the folder, as start-up does."""

    def add(name: str, **keys: Any) -> None:
        lines = [
            f"{k} = {v!r}".replace("'", '"')
            if not isinstance(v, bool)
            else f"{k} = {str(v).lower()}"
            for k, v in keys.items()
        ]
        folder = app.settings.path(app.settings.paths.printers)
        (folder / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        sync_printers(app)

    return add


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(out_dir=tmp_path / "emulator") as emu:
        yield emu


@pytest.fixture
def zebra(add_printer: Callable[..., None], emulator: PrinterEmulator) -> PrinterEmulator:
    """The emulator, defined as printer ``zebra`` (raw TCP 9100) in the service."""
    add_printer("zebra", driver="tcp9100", address=f"127.0.0.1:{emulator.port}")
    return emulator


@pytest.fixture
def workers(app: App) -> Iterator[Callable[..., WorkerSet]]:
    """Start print workers in this process; they are stopped after the test."""
    started: list[WorkerSet] = []

    def start(**kwargs: Any) -> WorkerSet:
        kwargs.setdefault("poll_seconds", 0.1)
        ws = WorkerSet(app, **kwargs).start()
        started.append(ws)
        return ws

    yield start
    for ws in started:
        ws.stop()


@pytest.fixture(name="wait_until")
def wait_until_fixture() -> Callable[..., bool]:
    return wait_until


@pytest.fixture
def job_state(app: App) -> Callable[[int], str]:
    def state(job_id: int) -> str:
        with app.store.read() as tx:
            job = tx.jobs.get(job_id)
        assert job is not None
        return job.state

    return state


def _no_cups(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CUPS is required under CI=true: {reason}")
    pytest.skip(reason)


CUPSD_CONF = """Listen 127.0.0.1:{port}
LogLevel warn
WebInterface No
Browsing Off
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
"""


@pytest.fixture(scope="session")
def cups_server() -> Iterator[str]:
    """A private cupsd on its own port; yields its ``host:port`` for ``lpr -H``."""
    missing = [t for t in ("cupsd", "lpadmin", "lpr", "lpstat") if shutil.which(t) is None]
    if missing:
        _no_cups(f"{', '.join(missing)} not installed (Debian: cups cups-client cups-bsd)")
    root = Path(tempfile.mkdtemp(prefix="labelsvc-cups-"))
    root.chmod(0o755)  # cupsd's helpers run as user lp and must reach the spool
    for sub in ("spool", "cache", "state", "tmp", "log"):
        (root / sub).mkdir()
    port = free_port()
    (root / "cupsd.conf").write_text(CUPSD_CONF.format(port=port), encoding="utf-8")
    (root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root), encoding="utf-8")
    cupsd = shutil.which("cupsd")
    assert cupsd is not None
    proc = subprocess.Popen(
        [cupsd, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = f"127.0.0.1:{port}"
    try:
        up = wait_until(
            lambda: (
                subprocess.run(
                    ["lpstat", "-h", server, "-r"], capture_output=True, check=False
                ).returncode
                == 0
            ),
            timeout=15,
        )
        if not up:
            proc.kill()
            _, err = proc.communicate(timeout=5)
            _no_cups(f"cupsd did not start: {err.decode(errors='replace')[-500:]}")
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cups_queue(cups_server: str) -> Callable[[str, int], str]:
    """Create a raw queue NAME on the private cupsd pointing at 127.0.0.1:PORT."""

    def make(name: str, port: int) -> str:
        subprocess.run(
            [
                "lpadmin",
                "-h",
                cups_server,
                "-p",
                name,
                "-E",
                "-v",
                f"socket://127.0.0.1:{port}",
                "-m",
                "raw",
            ],
            check=True,
            capture_output=True,
        )
        return name

    return make
