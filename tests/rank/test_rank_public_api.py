"""The rank package's public surface."""

from __future__ import annotations

import pulseaugur.rank as rank


def test_all_is_complete_and_importable() -> None:
    assert len(set(rank.__all__)) == len(rank.__all__)
    for name in rank.__all__:
        assert hasattr(rank, name), name
    public = {n for n in vars(rank) if not n.startswith("_")}
    modules = {"authority", "event_type", "rules", "scoring", "topics"}
    assert public - modules == set(rank.__all__)
