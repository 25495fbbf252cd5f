"""The source registry: the list of sources PulseAugur reads, from a TOML file.

The built-in list is ``pulseaugur/data/sources.toml``; the ``sources_file`` setting
points at another file of the same shape (``[[source]]`` tables; the header of the
built-in file documents every field and the tier policy). A bad entry stops the program
at start with a ``ConfigError`` naming the file, the entry and the field.

``SourceMatcher`` attributes a URL to the source whose ``domains`` entry is the longest
prefix of the URL's ``host/path`` (``www.`` ignored): ``anthropic.com/engineering/x``
belongs to the source listing ``anthropic.com/engineering`` rather than the one listing
``anthropic.com``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pulseaugur.errors import ConfigError
from pulseaugur.types import SOURCE_KINDS, Source

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_LANG_PATTERN = re.compile(r"^[a-z]{2,3}$")
_FIELDS = {
    "id",
    "kind",
    "url",
    "name",
    "outlet",
    "section",
    "tier",
    "languages",
    "poll_interval_s",
    "domains",
    "enabled",
    "primary",
}


def load_registry(path: Path | None = None, *, default_poll_interval_s: int = 900) -> list[Source]:
    """The sources listed in ``path`` (the built-in list when None), in file order."""
    if path is None:
        text = resources.files("pulseaugur").joinpath("data/sources.toml").read_text("utf-8")
        where = "built-in sources.toml"
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise ConfigError("sources_file", f"cannot read {path}: {exc.strerror}") from None
        where = str(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("sources_file", f"{where} is not valid TOML ({exc})") from None
    entries = document.get("source")
    if not isinstance(entries, list) or not entries:
        raise ConfigError("sources_file", f"{where} has no [[source]] entries")
    sources = [
        _source_from_entry(entry, f"{where}: source #{n}", default_poll_interval_s)
        for n, entry in enumerate(entries, 1)
    ]
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigError("sources_file", f"{where}: source id {source.id!r} is listed twice")
        seen.add(source.id)
    return sources


def _source_from_entry(entry: Any, where: str, default_poll_interval_s: int) -> Source:
    if not isinstance(entry, Mapping):
        raise ConfigError("sources_file", f"{where} is not a table")
    label = f"{where} ({entry.get('id', '?')})"
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ConfigError("sources_file", f"{label}: unknown field(s) {', '.join(sorted(unknown))}")

    def need(key: str, kind: type) -> Any:
        value = entry.get(key)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise ConfigError("sources_file", f"{label}: {key} must be a non-empty {kind.__name__}")
        return value

    source_id = need("id", str)
    if not _ID_PATTERN.match(source_id):
        raise ConfigError("sources_file", f"{label}: id must be lower-case letters, digits, '-'")
    url = need("url", str)
    if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
        raise ConfigError("sources_file", f"{label}: url {url!r} is not an http(s) URL")
    tier = entry.get("tier", 2)
    if not isinstance(tier, int) or isinstance(tier, bool) or tier not in (1, 2, 3):
        raise ConfigError("sources_file", f"{label}: tier must be 1, 2 or 3")
    languages = entry.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) and _LANG_PATTERN.match(x) for x in languages)
    ):
        raise ConfigError("sources_file", f"{label}: languages must list ISO 639-1 codes")
    domains = entry.get("domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise ConfigError("sources_file", f"{label}: domains must be a list of hosts")
    interval = entry.get("poll_interval_s", default_poll_interval_s)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 30:
        raise ConfigError("sources_file", f"{label}: poll_interval_s must be an integer >= 30")
    kind = entry.get("kind", "feed")
    if kind not in SOURCE_KINDS:
        raise ConfigError(
            "sources_file", f"{label}: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}"
        )
    section = entry.get("section")
    if section is not None and not isinstance(section, str):
        raise ConfigError("sources_file", f"{label}: section must be a string")
    for flag in ("enabled", "primary"):
        if not isinstance(entry.get(flag, False), bool):
            raise ConfigError("sources_file", f"{label}: {flag} must be true or false")
    return Source(
        id=source_id,
        kind=kind,
        url=url,
        name=need("name", str),
        outlet=need("outlet", str),
        section=section or None,
        tier=tier,
        languages=tuple(languages),
        poll_interval_s=interval,
        domains=tuple(_normalize_prefix(d) for d in domains),
        enabled=entry.get("enabled", True),
        primary=entry.get("primary", False),
    )


def _normalize_prefix(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    return text.removeprefix("www.").rstrip("/")


def url_key(url: str) -> str | None:
    """``host/path`` of a URL, lower-cased, without ``www.`` or a trailing slash."""
    parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    if not host:
        return None
    return (host + parts.path.lower()).rstrip("/")


class SourceMatcher:
    """Finds the source a URL belongs to by the longest matching ``domains`` prefix."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self._prefixes: list[tuple[str, Source]] = sorted(
            ((prefix, source) for source in sources for prefix in source.domains),
            key=lambda pair: (-len(pair[0]), pair[1].id),
        )

    def match(self, url: str) -> Source | None:
        """The source owning ``url``, or None."""
        key = url_key(url)
        if key is None:
            return None
        for prefix, source in self._prefixes:
            if key == prefix or key.startswith(prefix + "/"):
                return source
        return None


def sources_by_id(sources: Sequence[Source]) -> dict[str, Source]:
    """Index sources by id."""
    return {source.id: source for source in sources}
