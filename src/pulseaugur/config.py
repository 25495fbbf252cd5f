"""Settings: built-in defaults, then a TOML file, then ``PULSEAUGUR_*`` environment variables.

The TOML file is ``pulseaugur.toml`` in the working directory, or the path in
``PULSEAUGUR_CONFIG`` (or ``--config`` on the command line). Each setting has one flat
key in the file and one environment variable, its key upper-cased behind
``PULSEAUGUR_``::

    database_url = "sqlite:///data/pulseaugur.sqlite3"   # PULSEAUGUR_DATABASE_URL
    port = 8000                                          # PULSEAUGUR_PORT

A bad value stops the program at start with a ``ConfigError`` naming the setting and
where it came from. Unknown keys in the file are errors too (a typo must not be silently
ignored).
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pulseaugur.errors import ConfigError

ENV_PREFIX = "PULSEAUGUR_"
DEFAULT_CONFIG_FILE = "pulseaugur.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, validated. See ``SETTINGS_HELP`` for what each one means."""

    data_dir: Path = Path("data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    sources_file: Path | None = None
    user_agent: str = (
        "PulseAugur/0.1 (+https://github.com/pulseaugur/pulseaugur; AI-news aggregator)"
    )
    fetch_timeout_s: float = 20.0
    max_response_bytes: int = 10_000_000
    max_concurrent_fetches: int = 16
    poll_interval_s: int = 900
    allow_private_addresses: bool = False
    log_level: str = "INFO"
    public_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout_s: float = 20.0
    mail_from: str = ""
    translation_backend: str = ""
    translation_url: str = ""
    translation_model: str = ""
    translation_api_key: str = field(default="", repr=False)
    translation_timeout_s: float = 20.0
    summarizer: str = "extractive"
    summarizer_url: str = ""
    summarizer_model: str = ""
    summarizer_api_key: str = field(default="", repr=False)
    summarizer_timeout_s: float = 30.0
    summarizer_daily_tokens: int = 500_000
    brief_min_score: float = 75.0
    brief_min_sources: int = 1
    brief_max_events: int = 10
    brief_hour: int = 6
    score_authority: float = 0.30
    score_cluster_strength: float = 0.30
    score_headline_signal: float = 0.15
    score_time_decay: float = 0.25
    score_half_life_hours: float = 12.0
    admin_token: str = field(default="", repr=False)

    @property
    def email_enabled(self) -> bool:
        """Whether the Brief is mailed: ``smtp_host`` and ``mail_from`` are set."""
        return bool(self.smtp_host and self.mail_from)

    @property
    def resolved_smtp_port(self) -> int:
        """``smtp_port``, or the usual port of the TLS mode when it is 0."""
        if self.smtp_port:
            return self.smtp_port
        return 465 if self.smtp_ssl else 587 if self.smtp_starttls else 25

    @property
    def resolved_database_url(self) -> str:
        """``database_url``, or the SQLite file under ``data_dir`` when it is empty."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pulseaugur.sqlite3').as_posix()}"


SETTINGS_HELP: dict[str, str] = {
    "data_dir": "directory for the SQLite database and other local state",
    "database_url": "SQLAlchemy URL: sqlite:///path or postgresql://user@host/db "
    "(empty: a SQLite file in data_dir)",
    "host": "address the web server listens on",
    "port": "port the web server listens on (1-65535)",
    "sources_file": "TOML source list to use instead of the built-in one",
    "user_agent": "User-Agent header sent with every fetch",
    "fetch_timeout_s": "seconds a whole fetch may take before it is cut off",
    "max_response_bytes": "largest response body accepted, in bytes",
    "max_concurrent_fetches": "fetches in flight at once",
    "poll_interval_s": "default seconds between polls of a source",
    "allow_private_addresses": "allow fetching from loopback/private addresses (replay, tests)",
    "log_level": "DEBUG, INFO, WARNING or ERROR",
    "public_url": "the site's public base URL (https://news.example.org); when set, feeds "
    "that name a WebSub hub are subscribed to and push their updates",
    "smtp_host": "SMTP server the Brief is mailed through; email is off unless smtp_host and "
    "mail_from are set (then public_url is required: links in mail are absolute)",
    "smtp_port": "SMTP port; 0 for the usual one: 465 with smtp_ssl, else 587 with "
    "smtp_starttls, else 25",
    "smtp_username": "SMTP login (optional; needs smtp_password, and TLS unless smtp_host is "
    "a loopback address)",
    "smtp_password": "SMTP password (a secret, never logged)",
    "smtp_starttls": "upgrade the SMTP connection with STARTTLS (true by default; the server "
    "must offer it)",
    "smtp_ssl": "connect to the SMTP server over TLS from the start (port 465); not with "
    "smtp_starttls",
    "smtp_timeout_s": "seconds one SMTP connection or command may take",
    "mail_from": "the Brief's sender, e.g. 'PulseAugur <brief@news.example.org>'",
    "translation_backend": "service that translates non-English titles into English: "
    "openai (any OpenAI-compatible chat API: llama.cpp, Ollama, vLLM, hosted), "
    "libretranslate, or empty for none (titles then stay untranslated)",
    "translation_url": "base URL of the translation service (http or https; for openai "
    "the URL that /chat/completions is appended to, e.g. http://127.0.0.1:8080/v1); "
    "required when translation_backend is set",
    "translation_model": "model name sent to an openai backend (required for it)",
    "translation_api_key": "API key for the translation service (optional; a secret, never logged)",
    "translation_timeout_s": "seconds one translation request may take before its titles "
    "are left untranslated",
    "summarizer": "what writes the stories: extractive (the offline default, text copied "
    "from the sources) or openai (any OpenAI-compatible chat API; the extractive story is "
    "used whenever the model fails)",
    "summarizer_url": "base URL of the summarizer's chat API (http or https; /chat/completions "
    "is appended, e.g. http://127.0.0.1:8080/v1); required when summarizer is openai",
    "summarizer_model": "model name sent to the summarizer's API (required for openai); it "
    "labels the stories it writes",
    "summarizer_api_key": "API key for the summarizer's API (optional; a secret, never logged)",
    "summarizer_timeout_s": "seconds one summarizer request may take; at most 3 requests per "
    "event, then the extractive story is used",
    "summarizer_daily_tokens": "tokens the summarizer may spend per UTC day (as the API "
    "reports them); past it stories are extractive until the next day; 0 for no limit",
    "brief_min_score": "the Brief's gate: an event needs at least this score (0-100) to be in "
    "an edition",
    "brief_min_sources": "the Brief's gate: an event needs at least this many distinct sources",
    "brief_max_events": "most events in one edition of the Brief (1-100)",
    "brief_hour": "UTC hour (0-23) at which the day's edition of the Brief closes and is "
    "published; it holds the 24 hours before",
    "score_authority": "weight of the authority part (tiers of the covering sources) in the "
    "0-100 score; the four score_* weights are non-negative with a positive sum",
    "score_cluster_strength": "weight of the cluster-strength part (distinct and tier-1 "
    "sources) in the score",
    "score_headline_signal": "weight of the headline-signal part (the event type) in the score",
    "score_time_decay": "weight of the time-decay part (freshness) in the score",
    "score_half_life_hours": "hours after which the time-decay part has halved",
    "admin_token": "bearer token that authorizes the API's write endpoints (source "
    "management), at least 16 characters; empty: every write is refused (a secret, never "
    "logged)",
}

TRANSLATION_BACKENDS: tuple[str, ...] = ("openai", "libretranslate")
"""Values ``translation_backend`` accepts besides the empty string (no translation)."""

SUMMARIZERS: tuple[str, ...] = ("extractive", "openai")
"""Values ``summarizer`` accepts; ``extractive`` is the default."""


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise ValueError(f"expected an integer, got {raw!r}")
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected an integer, got {raw!r}") from None
        if not low <= value <= high:
            raise ValueError(f"expected an integer from {low} to {high}, got {value}")
        return value

    return parse


def _parse_positive_float(raw: Any) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise ValueError(f"expected a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"expected a positive number, got {value}")
    return value


def _parse_float(low: float, high: float) -> Callable[[Any], float]:
    def parse(raw: Any) -> float:
        if isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        try:
            value = float(str(raw).strip())
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
        if not low <= value <= high:  # also refuses NaN
            raise ValueError(f"expected a number from {low:g} to {high:g}, got {value:g}")
        return value

    return parse


def _parse_str(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"expected a string, got {raw!r}")
    return raw.strip()


def _parse_path(raw: Any) -> Path:
    text = _parse_str(raw)
    if not text:
        raise ValueError("expected a path, got an empty string")
    return Path(text)


def _parse_optional_path(raw: Any) -> Path | None:
    text = _parse_str(raw)
    return Path(text) if text else None


def _parse_database_url(raw: Any) -> str:
    text = _parse_str(raw)
    if text and not text.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ValueError(f"expected a sqlite:/// or postgresql:// URL, got {text!r}")
    return text


def _parse_log_level(raw: Any) -> str:
    text = _parse_str(raw).upper()
    if text not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError(f"expected DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return text


def _parse_user_agent(raw: Any) -> str:
    text = _parse_str(raw)
    if not text or any(c in text for c in "\r\n"):
        raise ValueError("expected a non-empty single-line string")
    return text


def _parse_line(raw: Any) -> str:
    text = _parse_str(raw)
    if any(c in text for c in "\r\n"):
        raise ValueError("expected a single-line string")
    return text


def _parse_translation_backend(raw: Any) -> str:
    text = _parse_str(raw).lower()
    if text and text not in TRANSLATION_BACKENDS:
        choices = ", ".join(TRANSLATION_BACKENDS)
        raise ValueError(f"expected {choices} or an empty string, got {raw!r}")
    return text


def _parse_summarizer(raw: Any) -> str:
    text = _parse_str(raw).lower()
    if text not in SUMMARIZERS:
        raise ValueError(f"expected {' or '.join(SUMMARIZERS)}, got {raw!r}")
    return text


def _parse_http_url(raw: Any) -> str:
    text = _parse_str(raw)
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        valid = (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0  # .port raises ValueError for a non-numeric or too large one
            and not parts.query
            and not parts.fragment
            and not any(c.isspace() for c in text)
        )
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"expected an http:// or https:// base URL, got {text!r}")
    return text.rstrip("/")


def _parse_secret(raw: Any) -> str:
    # Never echo the value: it is a credential.
    if not isinstance(raw, str):
        raise ValueError("expected a string (value not shown: it is a secret)")
    text = raw.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(
            "expected a single line without control characters (value not shown: it is a secret)"
        )
    return text


MIN_ADMIN_TOKEN_LENGTH = 16
"""The shortest ``admin_token`` accepted: a guessable token guards nothing."""


def _parse_admin_token(raw: Any) -> str:
    text = _parse_secret(raw)
    if text and (len(text) < MIN_ADMIN_TOKEN_LENGTH or any(c.isspace() for c in text)):
        raise ValueError(
            f"expected at least {MIN_ADMIN_TOKEN_LENGTH} characters without spaces "
            "(value not shown: it is a secret)"
        )
    return text


def _parse_smtp_host(raw: Any) -> str:
    text = _parse_str(raw)
    if text and (any(c.isspace() or ord(c) < 32 for c in text) or "/" in text or "@" in text):
        raise ValueError(f"expected a host name or address, got {text!r}")
    return text


def _parse_mail_from(raw: Any) -> str:
    text = _parse_line(raw)
    if not text:
        return ""
    name, address = parseaddr(text)
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain or any(c.isspace() for c in address):
        raise ValueError(f"expected an address like 'PulseAugur <brief@example.org>', got {text!r}")
    return formataddr((name, address)) if name else address


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "data_dir": _parse_path,
    "database_url": _parse_database_url,
    "host": _parse_str,
    "port": _parse_int(1, 65535),
    "sources_file": _parse_optional_path,
    "user_agent": _parse_user_agent,
    "fetch_timeout_s": _parse_positive_float,
    "max_response_bytes": _parse_int(1024, 1_000_000_000),
    "max_concurrent_fetches": _parse_int(1, 1024),
    "poll_interval_s": _parse_int(30, 7 * 24 * 3600),
    "allow_private_addresses": _parse_bool,
    "log_level": _parse_log_level,
    "public_url": _parse_http_url,
    "smtp_host": _parse_smtp_host,
    "smtp_port": _parse_int(0, 65535),
    "smtp_username": _parse_line,
    "smtp_password": _parse_secret,
    "smtp_starttls": _parse_bool,
    "smtp_ssl": _parse_bool,
    "smtp_timeout_s": _parse_positive_float,
    "mail_from": _parse_mail_from,
    "translation_backend": _parse_translation_backend,
    "translation_url": _parse_http_url,
    "translation_model": _parse_line,
    "translation_api_key": _parse_secret,
    "translation_timeout_s": _parse_positive_float,
    "summarizer": _parse_summarizer,
    "summarizer_url": _parse_http_url,
    "summarizer_model": _parse_line,
    "summarizer_api_key": _parse_secret,
    "summarizer_timeout_s": _parse_positive_float,
    "summarizer_daily_tokens": _parse_int(0, 10**12),
    "brief_min_score": _parse_float(0.0, 100.0),
    "brief_min_sources": _parse_int(1, 1000),
    "brief_max_events": _parse_int(1, 100),
    "brief_hour": _parse_int(0, 23),
    "score_authority": _parse_float(0.0, 1000.0),
    "score_cluster_strength": _parse_float(0.0, 1000.0),
    "score_headline_signal": _parse_float(0.0, 1000.0),
    "score_time_decay": _parse_float(0.0, 1000.0),
    "score_half_life_hours": _parse_positive_float,
    "admin_token": _parse_admin_token,
}


def _apply(settings: Settings, values: Mapping[str, Any], origin: Callable[[str], str]) -> Settings:
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        parser = _PARSERS.get(key)
        if parser is None:
            raise ConfigError(origin(key), "unknown setting")
        try:
            changes[key] = parser(raw)
        except ValueError as exc:
            raise ConfigError(origin(key), str(exc)) from None
    return replace(settings, **changes)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from defaults, the TOML file, the environment and ``overrides``.

    ``overrides`` (command-line options) win over everything; ``None`` values in it are
    skipped. Raises ``ConfigError`` naming the first bad setting.
    """
    env = os.environ if environ is None else environ
    settings = Settings()
    path = config_file
    if path is None and env.get(ENV_PREFIX + "CONFIG"):
        path = Path(env[ENV_PREFIX + "CONFIG"])
    elif path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        try:
            with path.open("rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError("config file", f"{path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}", f"not valid TOML ({exc})") from None
        settings = _apply(settings, document, lambda key: f"{path}: {key}")
    known = {f.name for f in fields(Settings)}
    from_env = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in known
    }
    settings = _apply(settings, from_env, lambda key: ENV_PREFIX + key.upper())
    if overrides:
        chosen = {k: v for k, v in overrides.items() if v is not None}
        settings = _apply(settings, chosen, lambda key: "--" + key.replace("_", "-"))
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """The checks that involve more than one setting (``load_settings`` runs them; call
    it on a ``Settings`` built by hand). Raises ``ConfigError`` naming the setting that
    is missing: ``translation_url`` when a ``translation_backend`` is chosen without
    one, ``translation_model`` when the ``openai`` backend has none, and likewise
    ``summarizer_url`` and ``summarizer_model`` when ``summarizer`` is ``openai``. The
    Brief's settings are range-checked here too (a ``Settings`` built by hand skips the
    parsers): ``brief_min_score`` 0-100, ``brief_min_sources`` 1 or more,
    ``brief_max_events`` 1-100, ``brief_hour`` 0-23. So are the score weights:
    ``score_authority``, ``score_cluster_strength``, ``score_headline_signal`` and
    ``score_time_decay`` 0-1000 each with a positive sum (the error then names
    ``score_authority``, the first of them), ``score_half_life_hours`` positive and
    finite."""
    _check_mail(settings)
    _check_summarizer(settings)
    _check_brief(settings)
    _check_score(settings)
    backend = settings.translation_backend
    if not backend:
        return
    if not settings.translation_url:
        raise ConfigError(
            "translation_url",
            f"required when translation_backend is {backend!r} "
            "(set translation_url in the config file or PULSEAUGUR_TRANSLATION_URL)",
        )
    if backend == "openai" and not settings.translation_model:
        raise ConfigError(
            "translation_model",
            "required when translation_backend is 'openai' "
            "(set translation_model in the config file or PULSEAUGUR_TRANSLATION_MODEL)",
        )


def _check_summarizer(settings: Settings) -> None:
    if settings.summarizer != "openai":
        return
    for name in ("summarizer_url", "summarizer_model"):
        if not getattr(settings, name):
            raise ConfigError(
                name,
                "required when summarizer is 'openai' "
                f"(set {name} in the config file or {ENV_PREFIX}{name.upper()})",
            )


def _check_mail(settings: Settings) -> None:
    """Email needs ``smtp_host`` and ``mail_from`` together, ``public_url``, a login in
    full (``smtp_username`` with ``smtp_password``), one TLS mode, and TLS for a login
    unless the server is on a loopback address (a password never crosses a network in
    clear)."""
    if bool(settings.smtp_host) != bool(settings.mail_from):
        missing = "mail_from" if settings.smtp_host else "smtp_host"
        other = "smtp_host" if settings.smtp_host else "mail_from"
        raise ConfigError(
            missing,
            f"required with {other} to send the Brief by email "
            f"(set {missing} in the config file or {ENV_PREFIX}{missing.upper()})",
        )
    if not settings.smtp_host:
        return
    if not settings.public_url:
        raise ConfigError(
            "public_url",
            "required to send the Brief by email: links in mail must be absolute "
            f"(set public_url in the config file or {ENV_PREFIX}PUBLIC_URL)",
        )
    if settings.smtp_ssl and settings.smtp_starttls:
        raise ConfigError("smtp_starttls", "set smtp_starttls = false when smtp_ssl is true")
    if bool(settings.smtp_username) != bool(settings.smtp_password):
        missing = "smtp_password" if settings.smtp_username else "smtp_username"
        raise ConfigError(missing, "smtp_username and smtp_password go together")
    loopback = settings.smtp_host in ("localhost", "127.0.0.1", "::1")
    if settings.smtp_username and not (settings.smtp_ssl or settings.smtp_starttls or loopback):
        raise ConfigError(
            "smtp_starttls",
            "an SMTP login needs smtp_starttls or smtp_ssl (the password would travel in clear)",
        )


_BRIEF_RANGES: tuple[tuple[str, float, float], ...] = (
    ("brief_min_score", 0, 100),
    ("brief_min_sources", 1, 1000),
    ("brief_max_events", 1, 100),
    ("brief_hour", 0, 23),
)


def _check_brief(settings: Settings) -> None:
    for name, low, high in _BRIEF_RANGES:
        value = getattr(settings, name)
        if isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                name,
                f"expected a number from {low:g} to {high:g}, got {value!r} "
                f"(set {name} in the config file or {ENV_PREFIX}{name.upper()})",
            )
        if name != "brief_min_score" and value != int(value):
            raise ConfigError(name, f"expected a whole number, got {value!r}")


SCORE_WEIGHT_SETTINGS: tuple[str, ...] = (
    "score_authority",
    "score_cluster_strength",
    "score_headline_signal",
    "score_time_decay",
)
"""The settings holding the weights of the score's four parts, in the score's order."""


def _check_score(settings: Settings) -> None:
    for name in SCORE_WEIGHT_SETTINGS:
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1000:
            raise ConfigError(
                name,
                f"expected a number from 0 to 1000, got {value!r} "
                f"(set {name} in the config file or {ENV_PREFIX}{name.upper()})",
            )
    if sum(getattr(settings, name) for name in SCORE_WEIGHT_SETTINGS) <= 0:
        raise ConfigError(
            SCORE_WEIGHT_SETTINGS[0],
            "the score weights (" + ", ".join(SCORE_WEIGHT_SETTINGS) + ") are all 0; "
            "at least one must be positive",
        )
    half_life = settings.score_half_life_hours
    if (
        isinstance(half_life, bool)
        or not isinstance(half_life, int | float)
        or not 0 < half_life < math.inf
    ):
        raise ConfigError("score_half_life_hours", f"expected a positive number, got {half_life!r}")
