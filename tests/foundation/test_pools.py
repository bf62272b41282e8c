"""Pool definitions: validation, loading from TOML, state changes and usage."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Forbidden, InvalidInput
from labelsvc.domain.pools import PoolSpec, random_values, validate_spec
from labelsvc.gs1.check import has_valid_check_digit
from labelsvc.services.app import App
from labelsvc.services.pools import get_pool, load_pool_files, set_pool_state, spec_from_mapping


def test_sscc_pool_values_are_valid_sscc_with_prefix() -> None:
    spec = PoolSpec("s", "sscc", "random", company_prefix="9506000", extension_digit=3)
    validate_spec(spec)
    for value in random_values(spec, 200):
        assert len(value) == 18 and value.startswith("39506000")
        assert has_valid_check_digit(value)


def test_random_values_use_only_the_alphabet_and_length() -> None:
    spec = PoolSpec("u", "unit", "random", gtins=("09506000134352",), alphabet="AB7", length=9)
    values = random_values(spec, 500)
    assert all(len(v) == 9 and set(v) <= set("AB7") for v in values)
    assert len({v[0] for v in values}) == 3  # every symbol is drawn


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"kind": "unit", "strategy": "random", "gtins": ["09506000134352"], "length": 21},
         "length"),
        ({"kind": "unit", "strategy": "random", "gtins": ["09506000134352"], "alphabet": "AB#"},
         "alphabet"),
        ({"kind": "unit", "gtins": ["09506000134353"]}, "(01)"),
        ({"kind": "sscc", "company_prefix": "12"}, "company_prefix"),
        ({"kind": "custom", "pattern": "SN-{seq:08}-{seq}"}, "pattern"),
        ({"kind": "custom", "pattern": "SN-{seq}", "colour": "red"}, "colour"),
        ({"kind": "unit", "gtins": []}, "gtins"),
    ],
)  # fmt: skip
def test_bad_definitions_name_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        spec_from_mapping({"name": "p", **data}, "serial_pools/p.toml")
    assert "serial_pools/p.toml" in err.value.detail
    assert key in err.value.detail.lower()


def test_broken_pool_file_names_the_file_and_loads_nothing(
    app: App, admin: Actor, tmp_path: Path
) -> None:
    folder = tmp_path / "pools"
    folder.mkdir()
    (folder / "a-good.toml").write_text('kind = "custom"\npattern = "A-{seq:04}"\n')
    (folder / "b-broken.toml").write_text('kind = "custom"\npattern = "B-{seq:04}\n')
    with pytest.raises(InvalidInput) as err:
        load_pool_files(app.store, folder, admin)
    assert "b-broken.toml" in err.value.detail
    with pytest.raises(Exception, match="a-good"):
        get_pool(app.store, "a-good", admin)


def test_pool_files_are_upserted_and_keep_counters(app: App, admin: Actor) -> None:
    folder = app.settings.path(app.settings.paths.serial_pools)
    before = get_pool(app.store, "demo-custom", admin)
    assert before.capacity == 99_999_999 and before.used == 0
    (folder / "demo-custom.toml").write_text(
        (folder / "demo-custom.toml").read_text().replace("low_water = 100", "low_water = 5")
    )
    load_pool_files(app.store, folder, admin)
    assert get_pool(app.store, "demo-custom", admin).spec.low_water == 5


def test_state_changes_follow_the_lifecycle(app: App, admin: Actor, operator: Actor) -> None:
    with pytest.raises(Forbidden):
        set_pool_state(app.store, "demo-custom", "suspended", operator)
    assert set_pool_state(app.store, "demo-custom", "suspended", admin).spec.state == "suspended"
    assert set_pool_state(app.store, "demo-custom", "active", admin).spec.state == "active"
    set_pool_state(app.store, "demo-custom", "retired", admin)
    with pytest.raises(InvalidInput, match="cannot become active"):
        set_pool_state(app.store, "demo-custom", "active", admin)
