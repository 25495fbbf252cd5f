"""``brief_mail``: address normalization, tokens and masking (pure functions)."""

from __future__ import annotations

import pytest

from pulseaugur.brief_mail import looks_like_token, mask_address, new_token, normalize_address


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ada.Lovelace+brief@Example.ORG ", "ada.lovelace+brief@example.org"),
        ("x@bücher.example", "x@xn--bcher-kva.example"),
        ("o'brien@sub.example.co.uk.", "o'brien@sub.example.co.uk"),
    ],
)
def test_addresses_are_normalized(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ada",
        "@example.org",
        "ada@",
        "ada@localhost",
        "ada@1.2.3.4",
        "a..b@example.org",
        ".a@example.org",
        "ada lovelace@example.org",
        "ada@exa_mple.org",
        "ada@-example.org",
        "ada@example..org",
        "Ada <ada@example.org>",
        "ada@example.org\r\nBcc: x@example.org",
        "a" * 65 + "@example.org",
        "a@" + "b" * 250 + ".org",
        "ädä@example.org",
    ],
)
def test_bad_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="email address"):
        normalize_address(raw)


def test_tokens_and_masks() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(looks_like_token(t) for t in tokens)
    assert not looks_like_token("A" * 42)
    assert not looks_like_token("A" * 42 + "/")
    assert mask_address("ada@example.org") == "a***@example.org"
