"""Pools, printers, label templates and products: what stations draw on."""

from __future__ import annotations

import re
from typing import Any, cast

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from labelsvc.domain.actors import require
from labelsvc.domain.pools import KINDS, STATES, STRATEGIES, PoolState
from labelsvc.labels import LabelRenderError, TemplateLibrary
from labelsvc.labels.data import LabelData
from labelsvc.services import labeling
from labelsvc.services.pools import INT_KEYS, SPEC_KEYS, list_pools, save_pool, set_pool_state
from labelsvc.services.pools import spec_from_mapping as pool_spec
from labelsvc.services.printers import (
    add_printer,
    fleet,
    list_printers,
    printer_status,
    test_print,
)
from labelsvc.services.products import list_products, product_from_mapping, save_products
from labelsvc.services.templates import save_template
from labelsvc.store.products import FIELDS as PRODUCT_FIELDS
from labelsvc.web.context import service
from labelsvc.web.previews import preview_headers
from labelsvc.web.ui.admin.blueprint import bp
from labelsvc.web.ui.common import actor, form_int, form_text, shows_errors

PREVIEW_DPIS = (203, 300, 600)


def _back(endpoint: str, message: str, **args: Any) -> ResponseReturnValue:
    """After a form: the page again with what happened (an HTMX form gets the message only)."""
    if request.headers.get("HX-Request") == "true":
        response = Response(render_template("partials/ok.html", message=message))
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(url_for(endpoint, done=message, **args))


# -- pools --------------------------------------------------------------------------------
@bp.get("/pools")
def pools() -> ResponseReturnValue:
    """Every pool with its capacity, usage bar and low-water warning; a form to add or edit."""
    found = list_pools(service().store, actor())
    editing = next((p for p in found if p.spec.name == request.args.get("edit")), None)
    return render_template(
        "admin/pools.html", pools=found, editing=editing, kinds=KINDS, strategies=STRATEGIES,
        states=STATES, done=request.args.get("done"),
    )  # fmt: skip


def _pool_form() -> dict[str, Any]:
    """The pool fields the form filled in, typed as a TOML file would type them."""
    data: dict[str, Any] = {}
    for key in SPEC_KEYS:
        if key == "gtins":
            gtins = [g for g in re.split(r"[\s,;]+", form_text("gtins")) if g]
            if gtins:
                data["gtins"] = gtins
        elif key in INT_KEYS:
            value = form_int(key)
            if value is not None:
                data[key] = value
        elif form_text(key):
            data[key] = form_text(key)
    return data


@bp.post("/pools/save")
@shows_errors
def pool_save() -> ResponseReturnValue:
    """Create or change a pool (the same rules as a pool file)."""
    spec = pool_spec(_pool_form(), "admin page")
    saved = save_pool(service().store, spec, actor())
    return _back("ui_admin.pools", f"Pool {saved.spec.name} saved.")


@bp.post("/pools/<name>/state")
@shows_errors
def pool_state(name: str) -> ResponseReturnValue:
    """Suspend, resume or retire a pool."""
    state = form_text("state")
    if state not in STATES:
        state = "active"
    saved = set_pool_state(service().store, name, cast(PoolState, state), actor())
    return _back("ui_admin.pools", f"Pool {name} is {saved.spec.state} now.")


# -- printers -----------------------------------------------------------------------------
@bp.get("/printers")
def printers() -> ResponseReturnValue:
    """Printers with their status, polled live from the printer (``~HS``) by each row."""
    return render_template(
        "admin/printers.html", printers=list_printers(service(), actor()),
        fleet={f.printer.name: f for f in fleet(service(), actor())},
        done=request.args.get("done"),
    )  # fmt: skip


@bp.get("/printers/<name>/status")
@shows_errors
def printer_live_status(name: str) -> ResponseReturnValue:
    """Ask the printer now (HTMX polls this every few seconds per row)."""
    status = printer_status(service(), actor(), name)
    return render_template("admin/printer_status.html", status=status, name=name)


@bp.post("/printers/<name>/test")
@shows_errors
def printer_test(name: str) -> ResponseReturnValue:
    """Queue a test label on the printer."""
    app = service()
    job = test_print(app, actor(), name, notify=lambda p: labeling.wake_printers(app, p))
    return render_template("partials/ok.html", message=f"Test label queued as job {job}.")


@bp.post("/printers/add")
@shows_errors
def printer_add() -> ResponseReturnValue:
    """Add a printer: its definition is written as ``printers/<name>.toml`` and loaded."""
    path = add_printer(service(), actor(), form_text("name"), request.form.get("definition", ""))
    return _back("ui_admin.printers", f"Printer saved to {path}.")


# -- templates ----------------------------------------------------------------------------
@bp.get("/templates")
def templates() -> ResponseReturnValue:
    """Every label template with a preview and its source."""
    require(actor(), "read")
    library = service().templates
    rows = [(name, library.kind_of(name)) for name in library.names()]
    notes = {name: _unsupported(library, name, 203) for name, _ in rows}
    return render_template(
        "admin/templates.html", rows=rows, dpis=PREVIEW_DPIS, done=request.args.get("done"),
        library=library, notes=notes,
    )  # fmt: skip


def _unsupported(library: TemplateLibrary, name: str, dpi: int) -> list[str]:
    """What the preview of ``name`` does not draw as printed (a broken one shows its error)."""
    try:
        return library.preview(name, LabelData.sample(library.kind_of(name)), dpi).unsupported
    except LabelRenderError:
        return []


@bp.get("/templates/<name>.png")
@shows_errors
def template_png(name: str) -> ResponseReturnValue:
    """The template rendered with sample data at a resolution, as the printer would print it."""
    require(actor(), "read")
    dpi = request.args.get("dpi", type=int) or 203
    library = service().templates
    drawn = library.preview(name, LabelData.sample(library.kind_of(name)), dpi)
    headers = {"Cache-Control": "no-store", **preview_headers(drawn)}
    return Response(drawn.png(), mimetype="image/png", headers=headers)


@bp.get("/templates/<name>/preview")
def template_preview(name: str) -> ResponseReturnValue:
    """The preview image element at one resolution (the dpi buttons swap it in)."""
    dpi = request.args.get("dpi", type=int) or 203
    notes = _unsupported(service().templates, name, dpi)
    return render_template("admin/template_preview.html", name=name, dpi=dpi, notes=notes)


@bp.post("/templates/save")
@shows_errors
def template_save() -> ResponseReturnValue:
    """Add or replace a template; one that does not render is refused naming line and reason."""
    name = form_text("name")
    save_template(service(), actor(), name, request.form.get("source", ""))
    return _back("ui_admin.templates", f"Template {name} saved.")


# -- products -----------------------------------------------------------------------------
@bp.get("/products")
def products() -> ResponseReturnValue:
    """Products with their packing quantities and serial pool."""
    found = list_products(service().store, actor())
    editing = next((p for p in found if p.gtin == request.args.get("edit")), None)
    return render_template(
        "admin/products.html", products=found, editing=editing, done=request.args.get("done")
    )


@bp.post("/products/save")
@shows_errors
def product_save() -> ResponseReturnValue:
    """Create or change one product (validated like a product file line)."""
    data = {key: form_text(key) for key in PRODUCT_FIELDS if key in request.form}
    product = product_from_mapping(data, "admin page")
    save_products(service().store, [product], actor())
    return _back("ui_admin.products", f"Product {product.gtin} saved.")
