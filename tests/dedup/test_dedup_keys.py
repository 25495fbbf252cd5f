"""content_hash, item_id, normalize_for_hash."""

from __future__ import annotations

import hashlib
import re

import pytest

from pulseaugur.dedup.keys import ITEM_ID_HEX_CHARS, content_hash, item_id, normalize_for_hash

GPT4O_HASH = content_hash(
    "OpenAI launches GPT-4o", "A new flagship model that reasons across audio."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“GPT-5” is here!", "gpt 5 is here"),
        ("  OpenAI\u00a0launches\n\tGPT‑4o…  ", "openai launches gpt 4o"),
        ("Straße STRASSE", "strasse strasse"),
        ("ＧＰＴ－４ｏ", "gpt 4o"),  # full-width forms (NFKC)
        ("snake_case and kebab-case", "snake case and kebab case"),
        ("人工智能：新模型发布。", "人工智能 新模型发布"),
        ("हिन्दी समाचार", "हिन्दी समाचार"),  # vowel signs are letters, not separators
        ("$100M, 50% — wow", "100m 50 wow"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalize_for_hash(text: str, expected: str) -> None:
    assert normalize_for_hash(text) == expected


def test_content_hash_is_sha256_hex_of_the_normalized_form() -> None:
    expected = hashlib.sha256(
        b"openai launches gpt 4o\na new flagship model that reasons across audio"
    ).hexdigest()
    assert expected == GPT4O_HASH
    assert re.fullmatch(r"[0-9a-f]{64}", GPT4O_HASH)


def test_content_hash_ignores_case_punctuation_and_spacing() -> None:
    assert (
        content_hash(
            "OPENAI LAUNCHES GPT 4o!", "A new flagship model — that reasons across   audio"
        )
        == GPT4O_HASH
    )


def test_content_hash_depends_on_title_and_body() -> None:
    assert (
        content_hash(
            "OpenAI launches GPT-4o mini", "A new flagship model that reasons across audio."
        )
        != GPT4O_HASH
    )
    assert content_hash("OpenAI launches GPT-4o", "A cheaper model.") != GPT4O_HASH


def test_empty_body_hashes_on_the_title_alone() -> None:
    title_only = content_hash("Show HN: A tiny LLM", "")
    assert title_only == hashlib.sha256(b"show hn a tiny llm").hexdigest()
    assert title_only == content_hash("Show HN: A tiny LLM", "  \n — ")


def test_title_body_boundary_matters() -> None:
    assert content_hash("a b", "c") != content_hash("a", "b c")


def test_item_id_uses_guid_first() -> None:
    by_guid = item_id("techcrunch", "tc-123", "https://techcrunch.com/x", GPT4O_HASH)
    assert by_guid == item_id("techcrunch", "tc-123", "https://techcrunch.com/other", "0" * 64)
    assert by_guid == item_id("techcrunch", "  tc-123 ", None, GPT4O_HASH)
    assert re.fullmatch(rf"[0-9a-f]{{{ITEM_ID_HEX_CHARS}}}", by_guid)


def test_item_id_falls_back_to_url_then_hash() -> None:
    by_url = item_id("techcrunch", None, "https://techcrunch.com/x", GPT4O_HASH)
    assert by_url == item_id("techcrunch", "", "https://techcrunch.com/x", "0" * 64)
    assert by_url != item_id("techcrunch", None, "https://techcrunch.com/y", GPT4O_HASH)
    by_hash = item_id("techcrunch", None, None, GPT4O_HASH)
    assert by_hash == item_id("techcrunch", "  ", "", GPT4O_HASH)
    assert len({by_url, by_hash}) == 2


def test_item_id_depends_on_source() -> None:
    assert item_id("techcrunch", "g", None, GPT4O_HASH) != item_id(
        "the-verge", "g", None, GPT4O_HASH
    )


def test_item_id_kinds_never_collide() -> None:
    url = "https://techcrunch.com/x"
    assert item_id("s", url, None, GPT4O_HASH) != item_id("s", None, url, GPT4O_HASH)


def test_item_id_is_stable_across_runs() -> None:
    # Frozen value: ids are stored, so this must never change.
    assert (
        item_id("techcrunch", "tc-123", None, GPT4O_HASH)
        == hashlib.sha256(b"techcrunch\x1fguid\x1ftc-123").hexdigest()[:ITEM_ID_HEX_CHARS]
    )
