"""Settings: one declaration, a shipped config.toml in sync, clear start-up errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from labelsvc.config import describe, load_settings
from labelsvc.domain.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_config_lists_every_setting_with_its_default() -> None:
    shipped = tomllib.loads((ROOT / "config.toml").read_text())
    flat = {f"{s}.{k}": v for s, keys in shipped.items() for k, v in keys.items()}
    declared = {key: default for key, default, _ in describe()}
    assert flat == declared


def test_every_setting_has_help() -> None:
    assert all(help_text.strip() for _, _, help_text in describe())


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[server]\nprot = 8080\n")
    with pytest.raises(InvalidInput) as err:
        load_settings(cfg)
    assert str(cfg) in err.value.detail
    assert "server.prot" in err.value.detail


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[server]\nport = "eighty"\n')
    with pytest.raises(InvalidInput, match=r"server\.port' must be an integer"):
        load_settings(cfg)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[server\nport = 1\n")
    with pytest.raises(InvalidInput, match="not valid TOML") as err:
        load_settings(cfg)
    assert str(cfg) in err.value.detail


def test_environment_variable_points_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text("[server]\nport = 9999\n")
    monkeypatch.setenv("LABELSVC_CONFIG", str(cfg))
    settings = load_settings()
    assert settings.server.port == 9999
    assert settings.path("var/x.db") == tmp_path / "var/x.db"


def test_pages_without_login_only_on_loopback(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[server]\nhost = "0.0.0.0"\nlogin_required = false\n')
    with pytest.raises(InvalidInput, match="loopback"):
        load_settings(cfg)
    cfg.write_text('[server]\nhost = "127.0.0.1"\nlogin_required = false\n')
    assert load_settings(cfg).server.login_required is False
