"""The README's API guide runs, ``sh`` block by block, against a live server: it cannot rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from apikit import ROOT, Stack

from labelsvc.services.print_queue import WorkerSet

README = ROOT / "README.md"


def shell_blocks(text: str) -> list[str]:
    """The fenced ``sh`` blocks of the README's API guide (between its markers), in order."""
    guide = text.split("<!-- api-guide:start", 1)[1].split("<!-- api-guide:end -->", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", guide, flags=re.MULTILINE | re.DOTALL)


def test_the_integration_guide_runs(stack: Stack, workers: WorkerSet, tmp_path: Path) -> None:
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    script = "set -euo pipefail\n" + "\n".join(blocks) + '\n[ "$STATE" = printed ]\n'
    env = {
        **os.environ,
        "LABELSVC": stack.server.url,
        "LABELSVC_CONFIG": str(stack.server.config),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^job \d+ is printed$", run.stdout, flags=re.MULTILINE), run.stdout
    serials = [s for s in run.stdout.splitlines() if re.fullmatch(r"[0-9A-Z]{12}", s)]
    assert len(serials) == 2
    assert stack.emulator.wait_for_labels(2)
