"""What every client of an OpenAI-compatible chat-completions endpoint shares.

Two parts of PulseAugur talk to such endpoints (llama.cpp's ``llama-server``, Ollama,
vLLM, LM Studio, hosted APIs): the title translator (``normalize/translate.py``, async)
and the LLM summarizer (``summarize/llm.py``, synchronous). Both use these pieces, so
the URL checks, redaction, status classification, size cap and the lenient reading of a
model's JSON answer exist once:

* :func:`check_base_url`, :func:`redact_url` — a base URL is http(s) with a host; what
  goes into logs never carries user info (a password in the URL);
* :func:`bearer_headers` — the request headers, with ``Authorization: Bearer <key>``
  when a key is given (the only place the key is put on the wire);
* :func:`raise_for_status` — 429 and 5xx are :class:`Unavailable` (worth retrying
  later), other non-2xx :class:`Rejected`; callers check 401/403/404 first, which mean
  misconfiguration;
* :func:`check_declared_size`, :func:`add_chunk` — the response size cap, enforced on
  the declared length and while streaming;
* :func:`decode_json`, :func:`message_content`, :func:`json_values` — the reply's JSON,
  its ``choices[0].message.content``, and the JSON values a model wrote in it (bare, in
  Markdown fences, after a ``<think>`` block or after some prose);
* :func:`snippet` — a short one-line excerpt of a body for log lines.

Nothing here does I/O; the exceptions never carry the API key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import httpx

MAX_RESPONSE_BYTES: Final = 2_000_000
"""Largest response body read from a chat-completions service."""

CHAT_COMPLETIONS_PATH: Final = "/chat/completions"
"""Appended to the base URL (``http://127.0.0.1:8080/v1`` → ``…/v1/chat/completions``)."""

_FENCE: Final = re.compile(r"```[A-Za-z0-9_-]*\s*(.*?)```", re.DOTALL)
_THINKING: Final = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_MAX_JSON_STARTS: Final = 8


class Unavailable(Exception):
    """The service could not be reached or failed (timeout, connection, 5xx, 429)."""


class Rejected(Exception):
    """The service refused this request (a 4xx other than auth/not-found)."""


class BadReply(Exception):
    """The service answered, but not with anything usable."""


def check_base_url(base_url: str) -> str:
    """``base_url`` stripped of surrounding space and trailing ``/``; raises
    ``ValueError`` (naming the redacted URL) unless it is http(s) with a host."""
    text = (base_url or "").strip()
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"expected an http:// or https:// base URL, got {redact_url(text)!r}")
    return text.rstrip("/")


def redact_url(url: str) -> str:
    """``url`` without user info (a password in the URL must not reach the logs)."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "(unparseable URL)"
    return urlunsplit(parts._replace(netloc=netloc))


def bearer_headers(api_key: str | None) -> dict[str, str]:
    """JSON ``Accept`` plus ``Authorization: Bearer <api_key>`` when a key is given."""
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def raise_for_status(status: int, body: bytes) -> None:
    """Nothing for 2xx; ``Unavailable`` for 429 and 5xx; ``Rejected`` for any other
    status. Callers handle 401/403/404 (misconfiguration) before calling this."""
    if status == 429 or status >= 500:
        raise Unavailable(f"HTTP {status} ({snippet(body)})")
    if not 200 <= status < 300:
        raise Rejected(f"HTTP {status} ({snippet(body)})")


def check_declared_size(response: httpx.Response) -> None:
    """Raise ``BadReply`` when the response declares a body over the size cap."""
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise BadReply(f"answer of {int(declared)} bytes is too large")


def add_chunk(body: bytearray, chunk: bytes) -> None:
    """Append ``chunk`` to ``body``; raise ``BadReply`` once it passes the size cap."""
    body += chunk
    if len(body) > MAX_RESPONSE_BYTES:
        raise BadReply(f"answer larger than {MAX_RESPONSE_BYTES} bytes")


def decode_json(body: bytes) -> object:
    """The JSON value of ``body``; ``BadReply`` when it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        raise BadReply(f"the answer is not JSON ({snippet(body)})") from None


def message_content(reply: object) -> str:
    """``choices[0].message.content`` of a chat-completions answer; ``BadReply`` when
    there is none."""
    if isinstance(reply, dict):
        choices = reply.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            message = choices[0].get("message")
            if isinstance(message, dict) and isinstance(message.get("content"), str):
                return str(message["content"])
    raise BadReply("the answer has no choices[0].message.content")


def json_values(content: str) -> Iterator[object]:
    """The JSON values (arrays or objects) a model wrote in ``content``, most likely
    first: the inside of a Markdown fence, then the text itself, each read from its
    first few ``[``/``{`` on (so prose before the JSON is skipped). A ``<think>`` block
    is dropped first. Yields nothing when no JSON value starts there."""
    text = _THINKING.sub("", content).strip()
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1).strip(), text] if fenced else [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        starts = [i for i, char in enumerate(candidate) if char in "[{"][:_MAX_JSON_STARTS]
        for start in starts:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except ValueError:
                continue
            yield value


def snippet(body: bytes | str, limit: int = 160) -> str:
    """``body`` as one line of at most ``limit`` characters (``empty body`` when empty)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    if not text:
        return "empty body"
    return text if len(text) <= limit else text[: limit - 1] + "…"
