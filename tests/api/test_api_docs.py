"""The ``sh`` examples of docs/api.md run, in order, against a live server, so they cannot rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from apikit import ROOT, Stack

from labelsvc.services.print_queue import WorkerSet

DOC = ROOT / "docs" / "api.md"


def shell_blocks(text: str) -> list[str]:
    """The fenced ``sh`` blocks of a Markdown text, in order."""
    return re.findall(r"^```sh\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_the_integration_guide_runs(stack: Stack, workers: WorkerSet, tmp_path: Path) -> None:
    blocks = shell_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    script = "set -euo pipefail\n" + "\n".join(blocks) + '\n[ "$STATE" = sent ]\n'
    env = {
        **os.environ,
        "LABELSVC": stack.server.url,
        "LABELSVC_CONFIG": str(stack.server.config),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^job \d+ is sent$", run.stdout, flags=re.MULTILINE), run.stdout
    serials = [s for s in run.stdout.splitlines() if re.fullmatch(r"[0-9A-Z]{12}", s)]
    assert len(serials) == 2
    assert stack.emulator.wait_for_labels(2)
