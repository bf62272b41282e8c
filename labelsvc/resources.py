"""Where the files that ship with labelsvc are: inside the wheel, or in the source checkout.

The page templates, label templates, demo site and default definitions live at the top of
the repository (``templates/``, ``zpl/``, ``printers/``, ...) so that a checkout is a working
site. A wheel cannot carry files outside the package, so the build copies them into
``labelsvc/_site/`` (see ``setup.py``); this module looks there first, then in the checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "_site"
CHECKOUT = Path(__file__).resolve().parents[1]
# What a site folder is made of: copied into a new site by ``labelsvc init``.
SITE_FILES = ("config.toml", "serial_pools", "printers", "zpl", "demo")
# Shipped with the package but used in place, never copied into a site.
PACKAGE_FILES = ("templates",)


def resource(name: str) -> Path:
    """The shipped file or folder ``name`` (e.g. ``templates``, ``zpl``, ``demo``)."""
    packaged = PACKAGED / name
    if packaged.exists():
        return packaged
    return CHECKOUT / name
