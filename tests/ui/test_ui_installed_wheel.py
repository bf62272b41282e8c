"""Installed like a product: the wheel, in a fresh venv outside the checkout, makes a site in
an empty folder, serves it, and a person logs in through the pages in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from livekit import wait_until
from playwright.sync_api import Browser, expect
from uikit import ROOT, login


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``labelsvc`` from a freshly built wheel, in a new venv; returns its ``bin`` folder.

    The wheel is installed without its dependencies, which the venv reads from the test
    venv's site-packages (a ``.pth`` line): no network, and still only the wheel's own files
    provide ``labelsvc`` (the checkout is neither on the path nor the working directory).
    """
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, cwd=base,
    )  # fmt: skip
    (wheel,) = dist.glob("labelsvc-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "-q", str(wheel)],
        check=True, capture_output=True, cwd=base,
    )  # fmt: skip
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"])
    (purelib / "zz-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return venv / "bin"


@pytest.fixture(scope="module")
def site(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``labelsvc init`` in an empty folder, then ``labelsvc serve`` there; yields its URL."""
    folder = tmp_path_factory.mktemp("empty-site")
    env = {k: v for k, v in os.environ.items() if k not in {"LABELSVC_CONFIG", "PYTHONPATH"}}
    init = subprocess.run(
        [str(installed / "labelsvc"), "init", "--admin-password", "admin-password"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    assert "made: config.toml, serial_pools/, printers/, zpl/, demo/" in init.stdout
    assert re.search(r"pools: .*demo-units", init.stdout), init.stdout
    assert "printers: demo-emulator, demo-file" in init.stdout
    assert "demo products added: 1" in init.stdout
    port = _free_port()
    log = folder / "serve.log"
    process = subprocess.Popen(
        [str(installed / "labelsvc"), "serve", "--port", str(port)],
        cwd=folder, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(url + "/api/v1/health", timeout=1).close()
            except OSError:
                return False
            return True

        assert wait_until(answers, 30), log.read_text()
        yield url
    finally:
        process.terminate()
        process.wait(15)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import labelsvc; print(labelsvc.__file__)"],
        capture_output=True, text=True, check=True, cwd="/",
    ).stdout  # fmt: skip
    assert str(installed.parent) in where and str(ROOT) not in where


def test_a_person_logs_in_and_sees_a_label_preview(site: str, browser: Browser) -> None:
    context, page = login(browser, site, "admin", "admin-password")
    try:
        page.goto("/admin/templates")
        image = page.locator("img[src*='unit.png']").first
        expect(image).to_be_visible()
        assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) > 100
        with urllib.request.urlopen(site + "/static/labelsvc.css") as css:
            assert css.status == 200 and b"{" in css.read()
    finally:
        context.close()
