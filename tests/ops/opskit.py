"""Helpers of the operations tests: the shared live-server helpers, a site with a Zebra
emulator as its printer, and waiting for a condition."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _root_conftest() -> Any:
    """The shared helpers of ``tests/conftest.py`` (conftest modules are not importable)."""
    spec = importlib.util.spec_from_file_location("labelsvc_ops_root", ROOT / "tests/conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_ROOT = _root_conftest()
start_live_server = _ROOT.start_live_server
run_cli = _ROOT.run_cli
write_config = _ROOT.write_config
free_port = _ROOT.free_port
need_tool = _ROOT.need_tool
LiveServer = _ROOT.LiveServer


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def add_zebra(project: Path, port: int, name: str = "zebra") -> None:
    """Define printer ``name`` as the Zebra emulator listening on ``port``."""
    (project / "printers").mkdir(exist_ok=True)
    (project / "printers" / f"{name}.toml").write_text(
        f'driver = "tcp9100"\naddress = "127.0.0.1:{port}"\ncheck_status = false\n',
        encoding="utf-8",
    )
