"""Products from files, users with hashed passwords, API tokens shown once."""

from __future__ import annotations

from pathlib import Path

import pytest
from storekit import rows, scalar

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from labelsvc.services.app import App
from labelsvc.services.products import get_product, read_product_file, save_products
from labelsvc.services.users import (
    add_user,
    authenticate_token,
    authenticate_user,
    change_user,
    create_token,
    revoke_token,
)


def test_products_load_from_csv_and_json(app: App, admin: Actor, tmp_path: Path) -> None:
    csv_file = tmp_path / "p.csv"
    csv_file.write_text(
        "gtin,sku,description,company_prefix_length,units_per_case\n"
        "9506000134369,TEA-1,Green tea,7,24\n"
    )
    json_file = tmp_path / "p.json"
    json_file.write_text('[{"gtin": "950600013439", "description": "Mug", '
                         '"company_prefix_length": 7}]')  # fmt: skip
    created, _ = save_products(app.store, read_product_file(csv_file), admin)
    assert created == 1
    save_products(app.store, read_product_file(json_file), admin)
    tea = get_product(app.store, "TEA-1", admin)
    assert tea.gtin == "09506000134369" and tea.units_per_case == 24
    assert get_product(app.store, "950600013439", admin).description == "Mug"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("9506000134368,X,Bad check,7,1", "check digit"),
        ("9506000134369,X,No prefix,,1", "company_prefix_length"),
        ("9506000134369,X,Zero per case,7,0", "units_per_case"),
    ],
)
def test_bad_product_rows_name_line_and_field(
    app: App, admin: Actor, tmp_path: Path, row: str, says: str
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("gtin,sku,description,company_prefix_length,units_per_case\n" + row + "\n")
    with pytest.raises(InvalidInput) as err:
        read_product_file(file)
    assert f"{file} line 2" in err.value.detail and says in err.value.detail


def test_sku_belongs_to_one_product(app: App, admin: Actor, tmp_path: Path) -> None:
    file = tmp_path / "dup.csv"
    file.write_text("gtin,sku,description,company_prefix_length\n"
                    "9506000134369,DEMO-WIDGET,Clash,7\n")  # fmt: skip
    with pytest.raises(Conflict, match="SKU DEMO-WIDGET"):
        save_products(app.store, read_product_file(file), admin)


def test_passwords_are_hashed_and_checked(app: App, admin: Actor) -> None:
    add_user(app.store, "anna", "supervisor", "correct horse", admin)
    stored = scalar(app, "SELECT password_hash FROM users WHERE name = 'anna'")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    anna = authenticate_user(app.store, "anna", "correct horse")
    assert anna.role == "supervisor" and anna.label == "user:anna"
    with pytest.raises(Unauthorized):
        authenticate_user(app.store, "anna", "wrong horse")
    change_user(app.store, "anna", admin, disabled=True)
    with pytest.raises(Unauthorized):
        authenticate_user(app.store, "anna", "correct horse")
    with pytest.raises(Conflict):
        add_user(app.store, "anna", "operator", "another one", admin)


def test_only_admins_manage_users(app: App, supervisor: Actor) -> None:
    with pytest.raises(Forbidden, match="admin role"):
        add_user(app.store, "bob", "admin", "12345678", supervisor)


def test_tokens_are_shown_once_stored_hashed_and_revocable(app: App, admin: Actor) -> None:
    token = create_token(app.store, "wms", ["label", "read"], admin)
    stored = rows(app, "SELECT * FROM api_tokens")
    assert token.secret not in str(stored)
    client = authenticate_token(app.store, token.secret)
    assert client.label == "client:wms" and client.may("label") and not client.may("pack")
    revoke_token(app.store, "wms", admin)
    with pytest.raises(Unauthorized):
        authenticate_token(app.store, token.secret)
    with pytest.raises(InvalidInput, match="scopes"):
        create_token(app.store, "bad", ["everything"], admin)
