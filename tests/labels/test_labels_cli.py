"""``labelsvc render``: a label from the shell, in each output format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from labelsvc.cli.render_cmd import render
from labelsvc.gs1 import Element

ROOT = Path(__file__).resolve().parents[2]
Decoded = list[tuple[str, str]]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(render, ["--zpl-dir", str(ROOT / "zpl"), *args])
    return result.exit_code, result.output


def test_png_of_given_data_decodes(
    tmp_path: Path,
    decode: Callable[[Image.Image], Decoded],
    gs1: Callable[[str, str], list[Element]],
) -> None:
    out = tmp_path / "label.png"
    data = {"gtin": "09506000134352", "serial": "CLI-1", "description": "From the shell"}
    code, _ = _run(
        "--template",
        "unit",
        "--dpi",
        "300",
        "--as",
        "png",
        "--data",
        json.dumps(data),
        "-o",
        str(out),
    )
    assert code == 0
    with Image.open(out) as image:
        assert image.size == (600, 300)
        [(symbology, text)] = decode(image)
    assert gs1(symbology, text) == [("01", "09506000134352"), ("21", "CLI-1")]


def test_zpl_with_sample_data(tmp_path: Path) -> None:
    out = tmp_path / "pallet.zpl"
    code, _ = _run("--template", "pallet", "-o", str(out))
    assert code == 0
    zpl = out.read_bytes()
    assert zpl.startswith(b"^XA") and zpl.rstrip().endswith(b"^XZ")
    assert b">;>800395060000001343600" in zpl


def test_escpos_output(tmp_path: Path) -> None:
    out = tmp_path / "unit.bin"
    assert _run("--template", "unit", "--as", "escpos", "-o", str(out))[0] == 0
    assert b"\x1dv0" in out.read_bytes()


def test_errors_are_explained(tmp_path: Path) -> None:
    out = str(tmp_path / "x")
    code, output = _run("--template", "unit", "--data", "{oops", "-o", out)
    assert code != 0 and "not valid JSON" in output
    code, output = _run("--template", "unit", "--data", '{"colour": "red"}', "-o", out)
    assert code != 0 and "unknown label field(s): colour" in output
    code, output = _run("--template", "nope", "-o", out)
    assert code != 0 and "no label template 'nope'" in output
    assert not Path(out).exists()


def test_help_describes_every_option() -> None:
    result = CliRunner().invoke(render, ["--help"])
    for option in ("--template", "--dpi", "--as", "--data", "--zpl-dir", "-o"):
        assert option in result.output


def test_png_says_what_the_preview_could_not_draw(tmp_path: Path) -> None:
    folder = tmp_path / "zpl"
    folder.mkdir()
    (folder / "boxed.zpl.j2").write_text(
        "{# kind: unit #}\n^XA^PW406^LL203^FO10,10^GC50,3^FS{{ elements | datamatrix(20, 3) }}^XZ"
    )
    out = tmp_path / "boxed.png"
    result = CliRunner().invoke(
        render, ["--zpl-dir", str(folder), "--template", "boxed", "--as", "png", "-o", str(out)]
    )
    assert result.exit_code == 0 and out.stat().st_size > 0
    assert "preview: ^GC (circle): not drawn" in result.output
    code, output = _run("--template", "unit", "--as", "png", "-o", str(tmp_path / "unit.png"))
    assert code == 0 and "preview:" not in output
