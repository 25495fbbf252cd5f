"""The JSON answer an LLM summarizer must give: its schema and the validator.

:func:`story_schema` is sent to the model as ``response_format`` and the same schema is
checked by :func:`schema_errors`, so what is asked for and what is accepted are one.
Pure functions, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Final

from pulseaugur.openai_compat import snippet
from pulseaugur.rank import EVENT_TYPES, FALLBACK_TAG, TOPICS
from pulseaugur.rank.topics import MAX_TAGS
from pulseaugur.summarize.extractive import MAX_SENTENCES, MIN_SENTENCES
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS
from pulseaugur.summarize.text import MAX_SENTENCE_CHARS, normalize_space

__all__ = ["MIN_HEADLINE_CHARS", "MIN_TEXT_CHARS", "schema_errors", "story_schema"]

MIN_TEXT_CHARS: Final = 20
"""The shortest summary sentence, IMPACT or RANK_REASON accepted, in characters."""
MIN_HEADLINE_CHARS: Final = 10
"""The shortest headline accepted, in characters."""


def story_schema(item_count: int) -> dict[str, object]:
    """The JSON Schema an answer must meet when ``item_count`` items were sent (ids
    ``1`` … ``item_count``). Sent as ``response_format`` and checked by
    :func:`schema_errors`, so what is asked and what is accepted are one."""
    sentence: dict[str, object] = {
        "type": "string",
        "minLength": MIN_TEXT_CHARS,
        "maxLength": MAX_SENTENCE_CHARS,
    }
    cited: dict[str, object] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["text", "cites"],
        "properties": {
            "text": sentence,
            "cites": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "integer", "enum": list(range(1, item_count + 1))},
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["headline", "summary", "impact", "rank_reason", "tags", "event_type"],
        "properties": {
            "headline": {
                "type": "string",
                "minLength": MIN_HEADLINE_CHARS,
                "maxLength": MAX_HEADLINE_CHARS,
            },
            "summary": {
                "type": "array",
                "minItems": MIN_SENTENCES,
                "maxItems": MAX_SENTENCES,
                "items": cited,
            },
            "impact": sentence,
            "rank_reason": sentence,
            "tags": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_TAGS,
                "uniqueItems": True,
                "items": {"type": "string", "enum": [*TOPICS, FALLBACK_TAG]},
            },
            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
        },
    }


_JSON_TYPES: Final[Mapping[str, Callable[[object], bool]]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
}


def schema_errors(value: object, schema: Mapping[str, object], path: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema``, one message per violation (empty: valid).

    Understands the subset :func:`story_schema` uses: ``type`` (object, array, string,
    integer), ``enum``, ``required``, ``properties``, ``additionalProperties: false``,
    ``minLength``/``maxLength``, ``minItems``/``maxItems``, ``uniqueItems`` and
    ``items``. String lengths count characters after whitespace is collapsed."""
    kind = str(schema.get("type", ""))
    if kind and not _JSON_TYPES[kind](value):
        return [f"{path}: expected {kind}, got {type(value).__name__}"]
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        return [f"{path}: {snippet(json.dumps(value), 60)} is not allowed"]
    if isinstance(value, dict):
        return _object_errors(value, schema, path)
    if isinstance(value, list):
        return _array_errors(value, schema, path)
    if isinstance(value, str):
        return _bounds(len(normalize_space(value)), schema, "Length", path, "characters")
    return []


def _object_errors(value: dict[str, object], schema: Mapping[str, object], path: str) -> list[str]:
    properties = schema.get("properties", {})
    assert isinstance(properties, dict)
    required = schema.get("required", [])
    assert isinstance(required, list)
    errors = [f"{path}: {key!r} is missing" for key in required if key not in value]
    if schema.get("additionalProperties") is False:
        errors += [f"{path}: {key!r} is not allowed" for key in value if key not in properties]
    for key, sub in properties.items():
        if key in value:
            errors += schema_errors(value[key], sub, f"{path}.{key}")
    return errors


def _array_errors(value: list[object], schema: Mapping[str, object], path: str) -> list[str]:
    errors = _bounds(len(value), schema, "Items", path, "items")
    if schema.get("uniqueItems") is True:
        keys = [json.dumps(v, sort_keys=True) for v in value]
        if len(set(keys)) != len(keys):
            errors.append(f"{path}: items repeat")
    items = schema.get("items")
    if isinstance(items, dict):
        for index, element in enumerate(value):
            errors += schema_errors(element, items, f"{path}[{index}]")
    return errors


def _bounds(size: int, schema: Mapping[str, object], word: str, path: str, unit: str) -> list[str]:
    low, high = schema.get("min" + word), schema.get("max" + word)
    if isinstance(low, int) and size < low:
        return [f"{path}: {size} {unit}, at least {low} wanted"]
    if isinstance(high, int) and size > high:
        return [f"{path}: {size} {unit}, at most {high} allowed"]
    return []
