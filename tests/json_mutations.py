"""Hostile variations of real JSON documents, for the platform parsers' property tests:
replace a few values anywhere in a recorded document with odd ones and check that the
parser answers with items or a ``ParseError``, never another exception."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st


def odd_values(samples: Sequence[str], *, floats: bool = False) -> st.SearchStrategy[Any]:
    """JSON values of every type, nested a little, mixed with the given odd strings."""
    leaves: st.SearchStrategy[Any] = st.none() | st.booleans() | st.integers()
    if floats:
        leaves = leaves | st.floats(allow_nan=False)
    return st.recursive(
        leaves | st.text(max_size=12) | st.sampled_from(list(samples)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )


def json_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into a JSON document, the root included."""
    paths = [prefix]
    if isinstance(node, dict):
        children: Any = node.items()
    else:
        children = enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        paths += json_paths(child, (*prefix, key))
    return paths


def replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``node`` with the value at ``path`` replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replaced(node[head], rest, value)}
    return [replaced(child, rest, value) if i == head else child for i, child in enumerate(node)]


def mutated(data: st.DataObject, document: Any, values: st.SearchStrategy[Any]) -> Any:
    """``document`` with one to four of its values replaced by draws from ``values``."""
    paths = json_paths(document)
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        with contextlib.suppress(KeyError, IndexError, TypeError):  # path gone already
            document = replaced(document, path, data.draw(values))
    return document
