"""The dashboard's flow metrics, as defined: a partial the dashboard loads on its own.

Time to trace (mean, p50 and p95 of every trace, every surface), recall scope (units held
against the units of the same lots) and returns resolution time, each drawn as an SVG chart.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.actors import require
from labelsvc.services.metrics_flows import recall_scope, returns_resolution, trace_times
from labelsvc.web.context import service
from labelsvc.web.ui.charts import bar_chart
from labelsvc.web.ui.common import actor, require_login

bp = Blueprint("ui_flow_dashboard", __name__, url_prefix="/admin/flows")
bp.before_request(require_login)


@bp.get("/")
def flows() -> ResponseReturnValue:
    """The flow metrics partial (admins, like the dashboard)."""
    require(actor(), "manage")
    hours = min(max(request.args.get("hours", type=int) or 24, 1), 24 * 14)
    times = trace_times(service(), actor(), hours=hours)
    scopes = recall_scope(service(), actor())
    took = returns_resolution(service(), actor())
    charts = {
        "trace": bar_chart(
            [(k, v) for k, v in (("mean", times.mean_ms), ("p50", times.p50_ms),
                                 ("p95", times.p95_ms)) if v is not None],
            title=f"Time to trace, start to full answer ({times.count} traces)", unit="ms",
        ),
        "scope": bar_chart(
            [(s.at[5:16].replace("T", " "), s.share or 0.0) for s in reversed(scopes)],
            title="Recall scope: units held as % of their lots", unit="%", max_value=100,
        ),
        "returns": bar_chart(
            [(ref, h) for ref, h in took.returns[-12:]],
            title="Returns: hours from opening to resolution", unit="h",
        ),
    }  # fmt: skip
    return render_template("admin/dashboard_flows.html", times=times, scopes=scopes, took=took,
                           charts=charts, hours=hours)  # fmt: skip
