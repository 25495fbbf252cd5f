"""The email settings: off by default, errors naming the setting, the password secret."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pulseaugur.config import Settings, check_settings, load_settings
from pulseaugur.errors import ConfigError
from pulseaugur.pipeline.mail import SmtpConfig

MAIL = {
    "PULSEAUGUR_SMTP_HOST": "smtp.example.org",
    "PULSEAUGUR_MAIL_FROM": "PulseAugur <brief@example.org>",
    "PULSEAUGUR_PUBLIC_URL": "https://news.example.org/",
}


def test_email_is_off_by_default() -> None:
    settings = load_settings(environ={})
    assert not settings.email_enabled
    assert SmtpConfig.from_settings(settings) is None


def test_email_settings_from_the_environment() -> None:
    settings = load_settings(
        environ={**MAIL, "PULSEAUGUR_SMTP_USERNAME": "brief", "PULSEAUGUR_SMTP_PASSWORD": "pw-1"}
    )
    assert settings.email_enabled
    assert settings.resolved_smtp_port == 587
    assert "pw-1" not in repr(settings)
    config = SmtpConfig.from_settings(settings)
    assert config is not None
    assert (config.host, config.port, config.public_url) == (
        "smtp.example.org",
        587,
        "https://news.example.org",
    )
    assert "pw-1" not in repr(config)
    implicit = load_settings(
        environ={**MAIL, "PULSEAUGUR_SMTP_SSL": "true", "PULSEAUGUR_SMTP_STARTTLS": "false"}
    )
    assert implicit.resolved_smtp_port == 465
    plain = load_settings(environ={**MAIL, "PULSEAUGUR_SMTP_STARTTLS": "no"})
    assert plain.resolved_smtp_port == 25
    assert (
        load_settings(environ={**MAIL, "PULSEAUGUR_SMTP_PORT": "2525"}).resolved_smtp_port == 2525
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"PULSEAUGUR_MAIL_FROM": ""}, "mail_from"),
        ({"PULSEAUGUR_SMTP_HOST": ""}, "smtp_host"),
        ({"PULSEAUGUR_PUBLIC_URL": ""}, "public_url"),
        ({"PULSEAUGUR_SMTP_SSL": "true"}, "smtp_starttls"),
        ({"PULSEAUGUR_SMTP_USERNAME": "brief"}, "smtp_password"),
        ({"PULSEAUGUR_SMTP_PASSWORD": "pw"}, "smtp_username"),
        ({"PULSEAUGUR_MAIL_FROM": "not an address"}, "PULSEAUGUR_MAIL_FROM"),
        ({"PULSEAUGUR_SMTP_HOST": "smtp://x"}, "PULSEAUGUR_SMTP_HOST"),
        ({"PULSEAUGUR_SMTP_PORT": "70000"}, "PULSEAUGUR_SMTP_PORT"),
        ({"PULSEAUGUR_SMTP_TIMEOUT_S": "0"}, "PULSEAUGUR_SMTP_TIMEOUT_S"),
        (
            {
                "PULSEAUGUR_SMTP_STARTTLS": "false",
                "PULSEAUGUR_SMTP_USERNAME": "u",
                "PULSEAUGUR_SMTP_PASSWORD": "pw",
            },
            "smtp_starttls",
        ),
    ],
)
def test_errors_name_the_setting(change: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={**MAIL, **change})
    assert str(caught.value).startswith(f"configuration error in {named}")


def test_a_login_in_clear_is_allowed_on_loopback_only() -> None:
    settings = replace(
        Settings(),
        smtp_host="127.0.0.1",
        mail_from="brief@example.org",
        public_url="https://news.example.org",
        smtp_starttls=False,
        smtp_username="u",
        smtp_password="pw",
    )
    check_settings(settings)
    with pytest.raises(ConfigError, match="smtp_starttls"):
        check_settings(replace(settings, smtp_host="mail.example.org"))


def test_a_bad_password_value_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={**MAIL, "PULSEAUGUR_SMTP_PASSWORD": "se\x01cret"})
    assert "se\x01cret" not in str(caught.value)
