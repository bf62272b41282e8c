"""Admin and supervisor pages: catalog (pools, printers, templates, products), operations
(dashboard, users and tokens, print jobs, audit log), webhooks and GS1 identity, on one
``/admin`` blueprint."""

import labelsvc.web.ui.admin.catalog
import labelsvc.web.ui.admin.identity
import labelsvc.web.ui.admin.leases
import labelsvc.web.ui.admin.operations
import labelsvc.web.ui.admin.supply
import labelsvc.web.ui.admin.webhooks  # noqa: F401 (each attaches its views to bp)
from labelsvc.web.ui.admin.blueprint import bp

__all__ = ["bp"]
