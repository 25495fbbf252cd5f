"""The Brief's settings: defaults, parsing, and errors naming the setting."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pulseaugur.brief import BriefPolicy
from pulseaugur.config import Settings, check_settings, load_settings
from pulseaugur.errors import ConfigError


def test_defaults_and_environment() -> None:
    assert BriefPolicy.from_settings(load_settings(environ={})) == BriefPolicy(75.0, 1, 10, 6)
    settings = load_settings(
        environ={
            "PULSEAUGUR_BRIEF_MIN_SCORE": "62.5",
            "PULSEAUGUR_BRIEF_MIN_SOURCES": "2",
            "PULSEAUGUR_BRIEF_MAX_EVENTS": "5",
            "PULSEAUGUR_BRIEF_HOUR": "0",
        }
    )
    assert BriefPolicy.from_settings(settings) == BriefPolicy(62.5, 2, 5, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIEF_MIN_SCORE", "101"),
        ("BRIEF_MIN_SCORE", "-1"),
        ("BRIEF_MIN_SCORE", "nan"),
        ("BRIEF_MIN_SCORE", "high"),
        ("BRIEF_MIN_SOURCES", "0"),
        ("BRIEF_MAX_EVENTS", "0"),
        ("BRIEF_MAX_EVENTS", "101"),
        ("BRIEF_HOUR", "24"),
        ("BRIEF_HOUR", "6.5"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={f"PULSEAUGUR_{name}": value})
    assert caught.value.setting == f"PULSEAUGUR_{name}"


@pytest.mark.parametrize(
    ("name", "value"),
    [("brief_min_score", 150.0), ("brief_hour", -1), ("brief_max_events", 0)],
)
def test_check_settings_names_a_bad_hand_built_value(name: str, value: float) -> None:
    with pytest.raises(ConfigError) as caught:
        check_settings(replace(Settings(), **{name: value}))
    assert caught.value.setting == name
