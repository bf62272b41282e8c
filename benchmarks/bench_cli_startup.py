"""CLI start-up: ``labelsvc --help`` and ``labelsvc trace CODE`` beside ``import flask``.

A dock script runs one command per scan (the README's ``pack add`` loop), so start-up is
the cost of every scan. The three commands run interleaved, 10 rounds, in fresh processes;
the figure is the median wall time and its ratio to ``python -c "import flask"`` measured
in the same rounds (target: at most 1.5x). Each run also checks that no folder is left in
the temporary directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_app, median, ms

ROUNDS = 10
TARGET = 1.5


def _site() -> tuple[Path, str]:
    """A site with one closed case to trace; returns its config and the case's SSCC."""
    app = fresh_app()
    config = app.settings.base_dir / "config.toml"
    config.write_text("", encoding="utf-8")
    with app.store.write() as tx:
        from labelsvc.domain.actors import Actor
        from labelsvc.services.allocation import allocate_in

        actor = Actor(name="bench", kind="user", role="admin", station="bench")
        sscc = allocate_in(tx, "demo-sscc", 1, actor=actor).serials[0]
    app.store.close()
    return config, f"(00){sscc}"


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)  # fmt: skip
    return time.perf_counter() - started


def run() -> list[tuple[str, str]]:
    """Median start-up of each command and its ratio to ``import flask``, same rounds."""
    config, code = _site()
    labelsvc = str(Path(sys.executable).with_name("labelsvc"))
    commands = {
        "python -c 'import flask' (reference)": [sys.executable, "-c", "import flask"],
        "labelsvc --help": [labelsvc, "--help"],
        "labelsvc trace SSCC": [labelsvc, "--config", str(config), "trace", code],
    }
    tmp = Path(tempfile.mkdtemp(prefix="labelsvc-bench-tmp-"))  # a temp dir of their own
    env = {**os.environ, "TMPDIR": str(tmp)}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, argv in commands.items():
            samples[name].append(_time(argv, config.parent, env))
    left = [p for p in tmp.iterdir() if p.is_dir()]
    reference = median(samples["python -c 'import flask' (reference)"])
    out = []
    for name, values in samples.items():
        ratio = median(values) / reference
        out.append((f"{name}, median of {ROUNDS}", f"{ms(median(values))}  {ratio:.2f}x"))
    out.append(("target", f"at most {TARGET}x the reference"))
    out.append(("folders left in the temp directory by these runs", str(len(left))))
    return out


if __name__ == "__main__":
    for figure, value in run():
        print(f"{figure:<50} {value}")
