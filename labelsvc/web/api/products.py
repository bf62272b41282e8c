"""``/products``: list, get, upsert (admin scope)."""

from __future__ import annotations

from typing import Any

from labelsvc.services.products import (
    get_product,
    list_products,
    product_from_mapping,
    save_products,
)
from labelsvc.store.products import Product
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    LIST_QUERY,
    OPT_INTEGER,
    OPT_STRING,
    STRING,
    body,
    obj,
    page,
    page_schema,
)

PRODUCT = obj({
    "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
    "sku": OPT_STRING,
    "description": STRING,
    "company_prefix_length": {"type": "integer", "minimum": 4, "maximum": 12},
    "units_per_case": OPT_INTEGER,
    "cases_per_pallet": OPT_INTEGER,
    "unit_pool": OPT_STRING,
    "warranty_days": {"type": ["integer", "null"], "description": "Warranty period, days"},
})  # fmt: skip
_OPT_COUNT = {"type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000}
PRODUCT_BODY = body(
    {
        "description": {"type": "string", "minLength": 1, "maxLength": 200},
        "company_prefix_length": {"type": "integer", "minimum": 4, "maximum": 12},
        "sku": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "units_per_case": _OPT_COUNT,
        "cases_per_pallet": _OPT_COUNT,
        "unit_pool": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "warranty_days": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": 36_500,
            "description": "Warranty period in days (returns are checked)",
        },
    },
    required=("description", "company_prefix_length"),
)
GTIN_PARAM = {"type": "string", "pattern": "^[0-9]{8,14}$",
              "description": "GTIN-8, -12, -13 or -14"}  # fmt: skip


def product_json(p: Product) -> dict[str, Any]:
    """A product as the API shows it."""
    return {
        "gtin": p.gtin, "sku": p.sku, "description": p.description,
        "company_prefix_length": p.company_prefix_length, "units_per_case": p.units_per_case,
        "cases_per_pallet": p.cases_per_pallet, "unit_pool": p.unit_pool,
        "warranty_days": p.warranty_days,
    }  # fmt: skip


@route("GET", "/products", summary="List products in GTIN order", tag="products",
       query=LIST_QUERY, responses=json_ok(page_schema(PRODUCT)), permission="read")  # fmt: skip
def products_list(call: Call) -> Reply:
    """One page of products."""
    after = call.query.get("after", "")
    return Reply(page(
        lambda n: list_products(call.app.store, call.actor, after=after, limit=n),
        call.query.get("limit"), lambda p: p.gtin, product_json,
    ))  # fmt: skip


@route("GET", "/products/{code}", summary="A product by GTIN or SKU", tag="products",
       responses=json_ok(PRODUCT), permission="read")  # fmt: skip
def products_get(call: Call, code: str) -> Reply:
    """One product."""
    return Reply(product_json(get_product(call.app.store, code, call.actor)))


@route("PUT", "/products/{gtin}", summary="Create or replace a product", tag="products",
       params={"gtin": GTIN_PARAM}, body=PRODUCT_BODY, errors=(409,),
       responses={**json_ok(PRODUCT), **json_ok(PRODUCT, 201)}, permission="manage")  # fmt: skip
def products_put(call: Call, gtin: str) -> Reply:
    """Upsert: 201 when the product is new, 200 when it was replaced."""
    product = product_from_mapping({**call.body, "gtin": gtin}, "request body")
    created, _ = save_products(call.app.store, [product], call.actor)
    return Reply(product_json(product), status=201 if created else 200)
