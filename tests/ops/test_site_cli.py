"""Finding the site: commands run from the wrong folder refuse instead of making an empty
database; ``init DIR`` lays out a complete site; no temporary folder is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CODE = "(00)095060000000000015"


def labelsvc(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``labelsvc`` in ``cwd`` with no LABELSVC_CONFIG unless ``env`` sets one."""
    base = {k: v for k, v in os.environ.items() if k != "LABELSVC_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "labelsvc", *args], cwd=cwd, env={**base, **(env or {})},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_command_in_a_folder_without_a_site_refuses_and_creates_nothing(tmp_path: Path) -> None:
    result = labelsvc("trace", CODE, cwd=tmp_path)
    assert result.returncode == 2
    assert "No labelsvc site here" in result.stderr and "labelsvc init" in result.stderr
    assert "Nothing with the code" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_site_that_was_never_initialised_says_to_run_init(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    for command in (["trace", CODE], ["serve"], ["pools", "list"]):
        result = labelsvc(*command, cwd=tmp_path)
        assert result.returncode == 2, command
        assert "not initialised" in result.stderr and "labelsvc init" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()


def test_init_makes_a_complete_site_in_an_empty_folder(tmp_path: Path) -> None:
    site = tmp_path / "dock-1"
    made = labelsvc("init", str(site), "--admin-password", "admin-password", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "made: config.toml, serial_pools/, printers/, zpl/, demo/" in made.stdout
    assert "first admin user: admin" in made.stdout
    assert f"next: cd {site} && labelsvc serve" in made.stdout
    for name in ("config.toml", "serial_pools/demo-units.toml", "printers/demo-file.toml",
                 "zpl/unit.zpl.j2", "demo/products.csv", "var/labelsvc.db"):  # fmt: skip
        assert (site / name).exists(), name
    pools = labelsvc("pools", "list", cwd=site)
    assert pools.returncode == 0 and "demo-sscc" in pools.stdout
    products = labelsvc("--config", str(site / "config.toml"), "products", "list", cwd=tmp_path)
    assert "09506000134352" in products.stdout
    again = labelsvc("init", str(site), cwd=tmp_path)
    assert again.returncode == 0 and "made: nothing new (files kept)" in again.stdout
    assert "first admin user" not in again.stdout


def test_environment_variable_names_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert (
        labelsvc("init", str(site), "--admin-password", "admin-password", cwd=tmp_path).returncode
        == 0
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = labelsvc(
        "pools", "list", cwd=elsewhere, env={"LABELSVC_CONFIG": str(site / "config.toml")}
    )
    assert listed.returncode == 0 and "demo-units" in listed.stdout
    assert list(elsewhere.iterdir()) == []


def test_render_uses_the_template_folder_of_the_config(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert (
        labelsvc("init", str(site), "--admin-password", "admin-password", cwd=tmp_path).returncode
        == 0
    )
    (site / "labels").mkdir()
    (site / "labels" / "shelf.zpl.j2").write_text(
        "{# kind: unit #}^XA^FO10,10^FDSHELF-TEMPLATE^FS^XZ", encoding="utf-8"
    )
    with (site / "config.toml").open("a", encoding="utf-8") as f:
        f.write("")
    text = (
        (site / "config.toml").read_text(encoding="utf-8").replace('zpl = "zpl"', 'zpl = "labels"')
    )
    (site / "config.toml").write_text(text, encoding="utf-8")
    out = labelsvc("render", "--template", "shelf", "-o", "-", cwd=site)
    assert out.returncode == 0, out.stderr
    assert "SHELF-TEMPLATE" in out.stdout


def test_commands_leave_no_folder_in_the_temp_directory(tmp_path: Path) -> None:
    site = tmp_path / "site"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    assert (
        labelsvc(
            "init", str(site), "--admin-password", "admin-password", cwd=tmp_path, env=env
        ).returncode
        == 0
    )
    for _ in range(3):
        assert labelsvc("pools", "list", cwd=site, env=env).returncode == 0
        escpos = labelsvc(
            "render", "-t", "unit", "--as", "escpos", "-o", "x.bin", cwd=site, env=env
        )
        assert escpos.returncode == 0, escpos.stderr
    # python-escpos keeps one capabilities cache, shared by every process of this user.
    assert [p.name for p in tmp.iterdir()] in ([], [f"labelsvc-escpos-{os.getuid()}"])
