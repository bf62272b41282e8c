"""The pages people use: stations, trace and admin, as Flask blueprints over the services.

Every view only translates between HTTP and a use case in ``labelsvc.services``; the rules
(roles included) live there. Pages are full HTML on a normal request and HTMX partials on
an ``HX-Request``.
"""
