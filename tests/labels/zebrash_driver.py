"""Run Zebrash, the independent ZPL renderer the label tests compare against (one Node process).

Zebrash (IngridHQ's Go ZPL renderer, MIT) runs as WASM from the npm package ``zpl-renderer-js``
(MIT), pinned in ``independent/package.json`` and installed with
``npm ci --prefix tests/labels/independent``. It shares no code with labelsvc.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from livekit import need_tool
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DRIVER_DIR = Path(__file__).resolve().parent / "independent"
DRIVER = DRIVER_DIR / "render.cjs"
PACKAGE = DRIVER_DIR / "node_modules" / "zpl-renderer-js" / "package.json"
PINNED = json.loads((DRIVER_DIR / "package.json").read_text())["dependencies"]["zpl-renderer-js"]
DPMM = {203: 8, 300: 12}  # Zebrash knows 6, 8, 12 and 24 dots/mm; the ZPL itself is in dots


@dataclass(frozen=True)
class Rendered:
    """What Zebrash drew for one job: one image per ^XA...^XZ, or its error."""

    zpl: bytes
    size: tuple[int, int]  # ^PW x ^LL, in dots
    images: list[Image.Image]
    error: str | None


def label_size(zpl: bytes) -> tuple[int, int]:
    """^PW x ^LL of a label (every shipped template sets both)."""
    pw = re.search(rb"\^PW(\d+)", zpl)
    ll = re.search(rb"\^LL(\d+)", zpl)
    assert pw and ll, "the ZPL sets ^PW and ^LL"
    return int(pw.group(1)), int(ll.group(1))


def require() -> str:
    """Skip (fail under CI=true) without Node or the pinned install; the renderer's name."""
    need_tool(
        shutil.which("node") is not None,
        "Node.js is missing (apt-get install -y nodejs); it runs the independent ZPL renderer",
    )
    need_tool(
        PACKAGE.exists(),
        f"zpl-renderer-js is not installed: npm ci --prefix {DRIVER_DIR.relative_to(ROOT)}",
    )
    installed = json.loads(PACKAGE.read_text())["version"]
    assert installed == PINNED, (
        f"zpl-renderer-js {installed} is installed, {PINNED} is pinned: "
        f"npm ci --prefix {DRIVER_DIR.relative_to(ROOT)}"
    )
    return installed


def render(zpls: list[bytes], dpis: list[int]) -> tuple[str, list[Rendered]]:
    """Each ZPL drawn at its resolution, on a canvas of exactly ^PW x ^LL dots."""
    sizes = [label_size(zpl) for zpl in zpls]
    jobs = [
        {  # the label size in mm that gives exactly ^PW x ^LL dots (Zebrash rounds up)
            "zpl": zpl.decode("utf-8"),  # as a ^CI28 printer reads it
            "widthMm": (w - 0.01) / DPMM[dpi],
            "heightMm": (h - 0.01) / DPMM[dpi],
            "dpmm": DPMM[dpi],
        }
        for zpl, (w, h), dpi in zip(zpls, sizes, dpis, strict=True)
    ]
    node = shutil.which("node")
    assert node is not None
    run = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps(jobs), capture_output=True, text=True, timeout=600, cwd=DRIVER_DIR,
    )  # fmt: skip
    assert run.returncode == 0, f"the Zebrash driver failed:\n{run.stderr}"
    answer = json.loads(run.stdout)
    out = [
        Rendered(zpl, size, [_png(png) for png in image.get("pngs", [])], image.get("error"))
        for zpl, size, image in zip(zpls, sizes, answer["images"], strict=True)
    ]
    return str(answer["renderer"]), out


def _png(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))
