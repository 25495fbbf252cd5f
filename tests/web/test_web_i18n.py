"""The interface languages: the Chinese catalog has exactly the messages the templates
and the web modules use, every one translated with the same placeholders; the language
of a request; formatting per language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.pofile import read_po

from pulseaugur.rank.topics import TOPIC_SLUGS
from pulseaugur.web import present
from pulseaugur.web.i18n import catalog_path, extract_messages, request_language, ui_text

NOW = datetime(2025, 8, 7, 13, 44, 13, tzinfo=UTC)
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def zh_catalog() -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with catalog_path("zh").open("rb") as po:
        catalog = read_po(po, locale="zh_Hans_CN")
    return {
        (m.id if isinstance(m.id, str) else (m.id[0], m.id[1])): m.string for m in catalog if m.id
    }


def test_the_zh_catalog_matches_the_code() -> None:
    used = extract_messages()
    assert len(used) > 150
    catalog = zh_catalog()
    missing = sorted(str(k) for k in used if k not in catalog)
    stale = sorted(str(k) for k in catalog if k not in used)
    assert not missing, f"run `python -m pulseaugur.web.i18n` and translate: {missing}"
    assert not stale, f"no longer used: {stale}"


def test_every_message_is_translated_with_its_placeholders() -> None:
    for key, string in zh_catalog().items():
        source = key if isinstance(key, str) else key[0]
        strings = (string,) if isinstance(string, str) else string
        for text in strings:
            assert text, f"untranslated: {key!r}"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), key


def test_every_topic_has_a_label() -> None:
    assert set(present.TOPIC_LABELS) == set(TOPIC_SLUGS.values())


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "en"),
        ({"accept-language": "zh-CN,zh;q=0.9"}, "zh"),
        ({"accept-language": "fr, en;q=0.5, zh;q=0.4"}, "en"),
        ({"cookie": "a=b; lang=zh", "accept-language": "en"}, "zh"),
        ({"cookie": "lang=fr", "accept-language": "zh"}, "zh"),
    ],
)
def test_request_language(headers: dict[str, str], language: str) -> None:
    assert request_language(headers) == language


@pytest.mark.parametrize(
    ("delta", "en", "zh"),
    [
        (timedelta(seconds=5), "just now", "刚刚"),
        (timedelta(minutes=5), "5 min ago", "5 分钟前"),
        (timedelta(hours=3), "3 h ago", "3 小时前"),
        (timedelta(days=2), "2 d ago", "2 天前"),
        (timedelta(days=30), "Jul 8, 2025", "2025年7月8日"),
    ],
)
def test_relative_times(delta: timedelta, en: str, zh: str) -> None:
    assert ui_text("en").ago(NOW - delta, NOW) == en
    assert ui_text("zh").ago(NOW - delta, NOW) == zh


def test_dates_numbers_and_language_names() -> None:
    en, zh = ui_text("en"), ui_text("zh")
    assert en.datetime_text(NOW) == "Aug 7, 2025 13:44 UTC"
    assert zh.datetime_text(NOW) == "2025年8月7日 13:44 UTC"
    assert en.long_date(NOW) == "Thursday 7 August 2025"
    assert zh.long_date(NOW.date()) == "2025年8月7日星期四"
    assert en.integer(4096) == "4,096"
    assert en.number(87.5) == zh.number(87.5) == "87.5"
    assert en.number(0.83) == "0.83"
    assert en.language_label("zh") == "Chinese(ZH)"
    assert zh.language_label("en") == "英语(EN)"
    assert zh.language_label("xx") == "XX"
    assert zh.ngettext("%(num)s source", "%(num)s sources", 3) == "3 个来源"
