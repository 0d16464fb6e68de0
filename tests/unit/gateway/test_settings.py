"""Settings come from WAYBILL_* variables, optionally over a TOML settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError


def test_defaults_serve_loopback_with_embedded_storage() -> None:
    settings = Settings.from_env({})
    assert settings.bind == "127.0.0.1:8080"
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.data_dir == Path(".waybill")


def test_file_values_apply_and_variables_override_them(tmp_path: Path) -> None:
    file = tmp_path / "waybill.toml"
    file.write_text(
        'bind = "127.0.0.1:9090"\nworkers = 4\ndata_dir = "/srv/waybill"\nrate_limit_burst = 7\n'
    )
    settings = Settings.from_env({"WAYBILL_SETTINGS_FILE": str(file), "WAYBILL_WORKERS": "3"})
    assert settings.bind == "127.0.0.1:9090"
    assert settings.workers == 3
    assert settings.data_dir == Path("/srv/waybill")
    assert settings.rate_limit_burst == 7


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WAYBILL_BIND": "localhost"}, "HOST:PORT"),
        ({"WAYBILL_WORKERS": "0"}, "WAYBILL_WORKERS"),
        ({"WAYBILL_RATE_LIMIT_BURST": "-1"}, "WAYBILL_RATE_LIMIT_BURST"),
        ({"WAYBILL_METRICS_PUBLIC": "sometimes"}, "WAYBILL_METRICS_PUBLIC"),
        ({"WAYBILL_SETTINGS_FILE": "/nonexistent/waybill.toml"}, "cannot read"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_malformed_settings_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text("bind = [1, 2\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        Settings.from_env({"WAYBILL_SETTINGS_FILE": str(file)})


@pytest.mark.parametrize("schema", ["Waybill", "drop table x", "1abc", ""])
def test_store_schema_must_be_a_plain_identifier(schema: str) -> None:
    with pytest.raises(SettingsError, match="WAYBILL_STORE_SCHEMA"):
        Settings.from_env({"WAYBILL_STORE_SCHEMA": schema})


@pytest.mark.parametrize(
    ("value", "public"),
    [("true", True), ("YES", True), ("1", True), ("false", False), ("0", False)],
)
def test_metrics_are_protected_unless_the_flag_says_otherwise(value: str, public: bool) -> None:
    assert Settings.from_env({}).metrics_public is False
    assert Settings.from_env({"WAYBILL_METRICS_PUBLIC": value}).metrics_public is public
