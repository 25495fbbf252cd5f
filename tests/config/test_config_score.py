"""The score-weight settings (``score_*``): parsing, and errors naming the setting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pulseaugur.config import Settings, check_settings, load_settings
from pulseaugur.errors import ConfigError


def test_toml_values(tmp_path: Path) -> None:
    path = tmp_path / "pulseaugur.toml"
    path.write_text("score_authority = 0.5\nscore_time_decay = 0\nscore_half_life_hours = 24\n")
    settings = load_settings(path, environ={})
    assert (settings.score_authority, settings.score_time_decay) == (0.5, 0.0)
    assert settings.score_half_life_hours == 24.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCORE_AUTHORITY", "-0.1"),
        ("SCORE_AUTHORITY", "heavy"),
        ("SCORE_CLUSTER_STRENGTH", "nan"),
        ("SCORE_HEADLINE_SIGNAL", "1001"),
        ("SCORE_TIME_DECAY", "inf"),
        ("SCORE_HALF_LIFE_HOURS", "0"),
        ("SCORE_HALF_LIFE_HOURS", "-3"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={f"PULSEAUGUR_{name}": value})
    assert caught.value.setting == f"PULSEAUGUR_{name}"


def test_all_weights_zero_is_refused_naming_a_weight() -> None:
    zero = {
        f"PULSEAUGUR_SCORE_{part}": "0"
        for part in ("AUTHORITY", "CLUSTER_STRENGTH", "HEADLINE_SIGNAL", "TIME_DECAY")
    }
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=zero)
    assert caught.value.setting == "score_authority"
    assert "at least one must be positive" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("score_authority", -1.0),
        ("score_time_decay", float("nan")),
        ("score_half_life_hours", 0.0),
        ("score_half_life_hours", float("inf")),
    ],
)
def test_check_settings_names_a_bad_hand_built_value(name: str, value: float) -> None:
    with pytest.raises(ConfigError) as caught:
        check_settings(replace(Settings(), **{name: value}))
    assert caught.value.setting == name
