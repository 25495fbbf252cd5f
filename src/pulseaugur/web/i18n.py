"""The interface languages: English and Chinese (Simplified).

``request_language`` picks the language of one request: the ``lang`` cookie the
``EN`` / ``中文`` switch sets, else the best match in ``Accept-Language``, else English.
The render cache keys pages by its result, so it must depend on nothing else.

Strings are gettext messages. The Chinese catalog is ``locale/zh/LC_MESSAGES/messages.po``,
read and compiled in memory once per process (``translations``): no compiled ``.mo`` file
is kept. English is the source language, so its catalog is empty. ``UiText`` formats
dates, numbers and relative times for one language with Babel.

Strings in Python are marked with ``N_`` (kept as they are, translated where shown) or
passed to a translation's ``gettext`` directly; ``tests/web/test_web_i18n.py`` extracts
every marked string from the templates and the web modules and checks the catalog has
exactly those.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Final, Literal, cast

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

UiLanguage = Literal["en", "zh"]
LANGUAGES: Final[tuple[UiLanguage, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[UiLanguage] = "en"
LANG_COOKIE: Final = "lang"
LANG_COOKIE_MAX_AGE: Final = 365 * 24 * 3600
"""The language cookie lasts a year."""

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"

HTML_LANG: Final[Mapping[UiLanguage, str]] = {"en": "en", "zh": "zh-Hans"}
"""The ``lang`` attribute (BCP 47) of pages in each UI language."""
SWITCH_LABEL: Final[Mapping[UiLanguage, str]] = {"en": "EN", "zh": "中文"}
"""How the language switch names each language (in that language)."""
_BABEL_LOCALE: Final[Mapping[UiLanguage, str]] = {"en": "en", "zh": "zh_Hans_CN"}


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message (singular and plural) for the catalog."""
    return singular, plural


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return None


def _from_accept_language(header: str) -> UiLanguage | None:
    best: tuple[float, UiLanguage] | None = None
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, "zh" if primary == "zh" else "en")
    return best[1] if best else None


def request_language(headers: Mapping[str, str]) -> UiLanguage:
    """The UI language for a request with these (lower-case named) headers."""
    cookie = _cookie(headers.get("cookie", ""), LANG_COOKIE)
    if cookie in LANGUAGES:
        return "zh" if cookie == "zh" else "en"
    return _from_accept_language(headers.get("accept-language", "")) or DEFAULT_LANGUAGE


def language_of(code: str) -> UiLanguage | None:
    """``en`` / ``zh`` as a UI language; None for anything else."""
    return "zh" if code == "zh" else "en" if code == "en" else None


def catalog_path(language: UiLanguage) -> Path:
    """Where the ``.po`` catalog of ``language`` lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: UiLanguage) -> gettext_module.NullTranslations:
    """The translations of ``language``, compiled from its ``.po`` once per process
    (English, the source language, translates nothing)."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=_BABEL_LOCALE[language], domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class UiText:
    """Formatting for one UI language: numbers, dates, relative times, language names.
    Immutable, so one instance serves every thread."""

    language: UiLanguage

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.language]

    def gettext(self, message: str) -> str:
        """``message`` translated (plain text: templates escape it)."""
        return translations(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message for ``n``, translated, with ``%(num)s`` filled."""
        text = translations(self.language).ngettext(singular, plural, n)
        return text % {"num": self.integer(n)}

    def integer(self, value: int) -> str:
        """``4,096`` (grouped for the language)."""
        return format_decimal(value, locale=self.locale)

    def number(self, value: float) -> str:
        """A score or score part, short: ``72``, ``72.5``, ``0.83``."""
        digits = 2 if abs(value) < 10 else 1
        return format_decimal(round(value, digits), format="#,##0.##", locale=self.locale)

    def date_text(self, moment: datetime) -> str:
        """``Aug 7, 2025`` / ``2025年8月7日``."""
        return format_skeleton("yMMMd", _utc(moment), locale=self.locale)

    def long_date(self, day: date | datetime) -> str:
        """``Thursday 7 August 2025`` / ``2025年8月7日星期四`` (a datetime's UTC date)."""
        if isinstance(day, datetime):
            day = _utc(day).date()
        if self.language == "en":
            return format_date(day, "EEEE d MMMM y", locale=self.locale)
        return format_date(day, "full", locale=self.locale)

    def datetime_text(self, moment: datetime) -> str:
        """``Aug 7, 2025 13:44 UTC`` / ``2025年8月7日 13:44 UTC``."""
        moment = _utc(moment)
        time = format_time(moment, "HH:mm", tzinfo=UTC, locale=self.locale)
        return f"{self.date_text(moment)} {time} UTC"

    def time(self, moment: datetime) -> str:
        """``13:44`` (UTC)."""
        return format_time(_utc(moment), "HH:mm", tzinfo=UTC, locale=self.locale)

    def ago(self, moment: datetime, now: datetime) -> str:
        """A short relative time: ``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``
        (``刚刚``, ``5 分钟前``, …); the date when it is a week old or more."""
        seconds = int((now - moment).total_seconds())
        gettext = translations(self.language).gettext
        if seconds < 60:
            return gettext("just now")
        if seconds < 3600:
            return gettext("%(n)s min ago") % {"n": seconds // 60}
        if seconds < 86400:
            return gettext("%(n)s h ago") % {"n": seconds // 3600}
        if seconds < 7 * 86400:
            return gettext("%(n)s d ago") % {"n": seconds // 86400}
        return self.date_text(moment)

    def duration(self, seconds: float) -> str:
        """A gap between two moments: ``+25 min``, ``+3 h``, ``+2 d``."""
        gettext = translations(self.language).gettext
        whole = int(seconds)
        if whole < 3600:
            return gettext("+%(n)s min") % {"n": max(whole // 60, 0)}
        if whole < 86400:
            return gettext("+%(n)s h") % {"n": whole // 3600}
        return gettext("+%(n)s d") % {"n": whole // 86400}

    def language_name(self, code: str) -> str:
        """The name of a content language in the UI language: ``Chinese`` / ``中文``."""
        key = code.strip().lower()
        name = self.locale.languages.get(key) if key.isalpha() and len(key) <= 3 else None
        return name or key.upper() or "UNKNOWN"

    def language_label(self, code: str) -> str:
        """The coverage list's language marker: ``English(EN)`` / ``英语(EN)``."""
        key = code.strip().lower()
        name = self.locale.languages.get(key) if key.isalpha() and len(key) <= 3 else None
        return f"{name}({key.upper()})" if name else (key.upper() or "UNKNOWN")


def content_lang(code: str) -> str:
    """A content language code fit for an HTML ``lang`` attribute: the code when it names
    a known language (``en``, ``zh``), else ``""`` (language unknown)."""
    key = code.strip().lower()
    if key.isascii() and key.isalpha() and 2 <= len(key) <= 3 and key in _locale("en").languages:
        return key
    return ""


@cache
def _locale(language: UiLanguage) -> Locale:
    return Locale.parse(_BABEL_LOCALE[language])


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def ui_text(language: UiLanguage) -> UiText:
    """The formatter of ``language``."""
    return UiText(language)


# ---- the catalog: extraction and update (for maintainers and the catalog test) ---------

WEB_DIR: Final = Path(__file__).parent
KEYWORDS: Final[dict[str, tuple[int, ...] | None]] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "NP_": (1, 2),
}
"""The marker functions extraction looks for (``N_`` marks without translating)."""


def extract_messages() -> dict[str | tuple[str, str], list[str]]:
    """Every translatable message of the web UI — from the templates (Jinja2 ``_``,
    ``gettext``, ``ngettext`` and ``trans`` blocks, whitespace trimmed as rendering
    trims it) and from the web modules (the ``KEYWORDS`` calls) — with where each is
    used. A plural message is keyed by its (singular, plural) pair."""
    from babel.messages.extract import extract_from_file
    from jinja2.ext import babel_extract

    found: dict[str | tuple[str, str], list[str]] = {}

    def add(message: str | tuple[str, ...], where: str) -> None:
        key: str | tuple[str, str] = (
            message if isinstance(message, str) else (message[0], message[1])
        )
        found.setdefault(key, []).append(where)

    options = {"trimmed": "true", "trim_blocks": "true", "lstrip_blocks": "true"}
    for path in sorted((WEB_DIR / "templates").glob("*.html")):
        for line, message, _comments, _context in extract_from_file(
            cast(Any, babel_extract), str(path), keywords=KEYWORDS, options=options
        ):
            add(message, f"templates/{path.name}:{line}")
    for path in sorted(WEB_DIR.glob("*.py")):
        for line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            add(message, f"{path.name}:{line}")
    return found


def update_catalog(language: UiLanguage) -> tuple[int, int]:
    """Bring ``language``'s ``.po`` in step with the code: add the messages it lacks
    (untranslated) and drop those no longer used. Returns (added, dropped)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = catalog_path(language)
    with path.open("rb") as po:
        old = read_po(po, locale=_BABEL_LOCALE[language], domain=DOMAIN)
    wanted = extract_messages()
    new = Catalog(locale=_BABEL_LOCALE[language], domain=DOMAIN, project="PulseAugur")
    added = 0
    for key, places in sorted(wanted.items(), key=lambda kv: str(kv[0])):
        previous = old.get(key[0] if isinstance(key, tuple) else key)
        string: Any = previous.string if previous is not None else ""
        if previous is None or isinstance(previous.id, tuple) != isinstance(key, tuple):
            added += 1
            string = ("", "") if isinstance(key, tuple) else ""
        locations = [(place.rsplit(":", 1)[0], int(place.rsplit(":", 1)[1])) for place in places]
        new.add(key, string, locations=locations[:3])
    dropped = sum(1 for m in old if m.id and _key(cast(Any, m.id)) not in wanted)
    with path.open("wb") as po:
        write_po(po, new, width=100, omit_header=False, sort_output=True)
    return added, dropped


def _key(message_id: str | tuple[str, ...]) -> str | tuple[str, str]:
    return message_id if isinstance(message_id, str) else (message_id[0], message_id[1])


if __name__ == "__main__":  # python -m pulseaugur.web.i18n: update the Chinese catalog
    added, dropped = update_catalog("zh")
    print(f"added {added}, dropped {dropped}")
