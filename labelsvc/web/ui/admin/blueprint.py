"""The ``/admin`` blueprint; its views live in ``catalog`` and ``operations``."""

from __future__ import annotations

from flask import Blueprint

from labelsvc.web.ui.common import require_login

bp = Blueprint("ui_admin", __name__, url_prefix="/admin")
bp.before_request(require_login)
