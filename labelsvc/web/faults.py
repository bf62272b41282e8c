"""Core errors raised outside a view's own handling become a page with the message.

A full disk (or another resource problem) can strike any page, also one whose view does not
expect errors; the operator then sees what is wrong and what to do, with the error's status
(503 for a full disk), instead of an anonymous 500. The API has its own problem handler.
"""

from __future__ import annotations

from flask import Flask, make_response, render_template, request
from flask.typing import ResponseReturnValue

from labelsvc.domain.errors import LabelsvcError
from labelsvc.web.problems import STATUS


def install_fault_pages(app: Flask) -> None:
    """Register the page-level handler of core errors."""

    @app.errorhandler(LabelsvcError)
    def _page(error: LabelsvcError) -> ResponseReturnValue:
        status = STATUS[error.kind]
        if request.headers.get("HX-Request") == "true":
            return make_response(render_template("partials/error.html", error=error), status)
        response = make_response(render_template("error_page.html", error=error), status)
        if error.code == "disk-full":
            response.headers["Retry-After"] = "30"
        return response
