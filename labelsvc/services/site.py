"""A site folder: the config, definitions and demo data that ``labelsvc init`` lays out.

A site is a folder with a ``config.toml`` beside its ``serial_pools/``, ``printers/``,
``zpl/`` and ``demo/`` folders; relative paths in the config resolve against it. The files
come from the package (see :mod:`labelsvc.resources`), so a wheel installed anywhere can
make a working site in an empty folder. Nothing that exists is overwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from labelsvc.resources import SITE_FILES, resource


def create_site(folder: Path, config_name: str = "config.toml") -> list[str]:
    """Copy the shipped site files that ``folder`` lacks; return what was made."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in SITE_FILES:
        source = resource(name)
        target = folder / (config_name if name == "config.toml" else name)
        if target.exists() or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target)
            made.append(f"{target.name}/")
        else:
            shutil.copy2(source, target)
            made.append(target.name)
    return made


def demo_products(base_dir: Path) -> Path:
    """The demo products of the site, or the packaged ones for a site made without them."""
    own = base_dir / "demo" / "products.csv"
    return own if own.exists() else resource("demo") / "products.csv"
