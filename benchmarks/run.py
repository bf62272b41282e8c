"""Run every benchmark and print its figures beside the reference measured in the same run.

    .venv/bin/python benchmarks/run.py            # all
    .venv/bin/python benchmarks/run.py allocation # only bench_allocation.py

Figures are reported, never asserted: the targets are printed beside them for the reader.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default) and print a table per benchmark."""
    wanted = set(argv)
    failed: list[str] = []
    files = sorted(HERE.glob("bench_*.py"))
    print(f"labelsvc benchmarks on {platform.node()} ({platform.python_version()}, "
          f"{platform.machine()})")  # fmt: skip
    for file in files:
        name = file.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        spec = importlib.util.spec_from_file_location(file.stem, file)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started = time.perf_counter()
        print(f"\n== {name}", flush=True)
        try:
            rows = module.run()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            print(f"  FAILED: {type(exc).__name__}: {str(exc)[:500]}")
            continue
        for figure, value in rows:
            print(f"  {figure:<62} {value}")
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
