"""Settings: defaults, TOML, environment, and a clear error naming a bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulseaugur.config import SETTINGS_HELP, Settings, load_settings
from pulseaugur.errors import ConfigError


def test_defaults_use_sqlite_under_data() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.resolved_database_url == "sqlite:///data/pulseaugur.sqlite3"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_every_setting_is_documented() -> None:
    assert set(SETTINGS_HELP) == set(Settings.__dataclass_fields__)


def test_toml_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "pulseaugur.toml"
    config.write_text('port = 9000\nhost = "0.0.0.0"\ndata_dir = "/srv/pa"\n')
    settings = load_settings(config, environ={"PULSEAUGUR_PORT": "9100"})
    assert (settings.host, settings.port, settings.data_dir) == ("0.0.0.0", 9100, Path("/srv/pa"))
    assert settings.resolved_database_url == "sqlite:////srv/pa/pulseaugur.sqlite3"
    overridden = load_settings(config, environ={"PULSEAUGUR_PORT": "9100"}, overrides={"port": "1"})
    assert overridden.port == 1


def test_config_file_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "other.toml"
    config.write_text('database_url = "postgresql://u@db/pa"\n')
    settings = load_settings(environ={"PULSEAUGUR_CONFIG": str(config)})
    assert settings.resolved_database_url == "postgresql://u@db/pa"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PULSEAUGUR_PORT": "eighty"}, "PULSEAUGUR_PORT"),
        ({"PULSEAUGUR_PORT": "70000"}, "PULSEAUGUR_PORT"),
        ({"PULSEAUGUR_DATABASE_URL": "mysql://x"}, "PULSEAUGUR_DATABASE_URL"),
        ({"PULSEAUGUR_FETCH_TIMEOUT_S": "-1"}, "PULSEAUGUR_FETCH_TIMEOUT_S"),
        ({"PULSEAUGUR_ALLOW_PRIVATE_ADDRESSES": "maybe"}, "PULSEAUGUR_ALLOW_PRIVATE_ADDRESSES"),
        ({"PULSEAUGUR_LOG_LEVEL": "LOUD"}, "PULSEAUGUR_LOG_LEVEL"),
    ],
)
def test_bad_environment_value_names_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert caught.value.setting == named
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_toml_value_names_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "pulseaugur.toml"
    config.write_text("port = true\n")
    with pytest.raises(ConfigError, match=r"pulseaugur\.toml: port"):
        load_settings(config, environ={})


def test_unknown_toml_key_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "pulseaugur.toml"
    config.write_text("prot = 80\n")
    with pytest.raises(ConfigError, match="prot: unknown setting"):
        load_settings(config, environ={})


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    config = tmp_path / "pulseaugur.toml"
    config.write_text("port = = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})
