"""Build hook: copy the site files at the top of the repository into the wheel.

Everything else about the project is declared in ``pyproject.toml``. The page templates,
label templates and the demo site live beside the package (a checkout is a working site);
here they are copied to ``labelsvc/_site/`` in the build tree so an installed wheel has them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("config.toml", "serial_pools", "printers", "zpl", "demo", "templates")


class BuildWithSite(build_py):
    """``build_py`` that also copies the shipped site files under ``labelsvc/_site``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads them from the checkout
        target = Path(self.build_lib) / "labelsvc" / "_site"
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)
            elif source.is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithSite})
