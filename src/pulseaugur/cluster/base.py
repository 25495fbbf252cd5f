"""The clusterer contract: what the pipeline may ask of an online event clusterer.

A clusterer sees documents one at a time, in stream order, and places each one
immediately (single pass, no look-ahead, no re-assignment of earlier documents):

- ``add(doc)`` puts the document into an open event (cluster) or starts a new one, and
  returns the :class:`~pulseaugur.types.Assignment` with the event id and the storyline
  id. Every document gets exactly one event.
- ``restore(members)`` rebuilds the state after a restart from stored memberships:
  every document goes back into the cluster id it is given (no decision is made), and
  ids allocated afterwards continue after the largest restored id.

Ids. Cluster ids are positive ints allocated in increasing order, starting at 1 for an
empty clusterer; ``next_id`` is the id the next new cluster will get (it never goes
down, and after ``restore`` it is ``max(restored ids) + 1``, or ``min_next_id`` or
its earlier value when larger). Storyline ids live in the same id space: a storyline
is named by the id of the first event that belongs to it, so ``storyline_id <=
cluster_id`` and a new event that starts a new storyline has ``storyline_id ==
cluster_id``. An event belongs to exactly
one storyline at a time.

Merges. Events (and storylines) that turn out to be one are merged into the older: the
assignment that reveals it lists the absorbed ids (``Assignment.merged``,
``Assignment.merged_storylines``); absorbed ids are never assigned again, and their
documents (events) belong to the survivor from then on.

Determinism. Implementations must be deterministic: the same documents in the same
order (after the same ``restore``) give the same assignments, in any process (no
dependence on hash randomization, wall-clock time or thread scheduling).

Implementations do no I/O; reading and writing files is :mod:`pulseaugur.cluster.stream`'s
job and storing memberships is the pipeline's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from pulseaugur.types import Assignment, ClusterDoc

__all__ = ["Clusterer"]


@runtime_checkable
class Clusterer(Protocol):
    """An online, single-pass event clusterer (see the module docstring for the rules)."""

    @property
    def next_id(self) -> int:
        """The id the next new cluster will get (positive, never decreasing)."""
        ...

    def add(self, doc: ClusterDoc) -> Assignment:
        """Place one document: join the best open event or start a new one.

        Returns the event id (``cluster_id``), the storyline id, whether a new event was
        created and the similarity that decided it (the similarity to the joined event,
        or the best similarity found when a new one was started; 0.0 when there was no
        candidate).
        """
        ...

    def place(
        self, doc: ClusterDoc, cluster_id: int, storyline_id: int | None = None
    ) -> Assignment:
        """Put ``doc`` into event ``cluster_id`` as decided elsewhere (a social post that
        links to an article joins that article's event). Returns an assignment with
        ``created`` False and similarity 1.0; the event is created in the clusterer's
        state if it had closed, with ``storyline_id`` (default: its own id)."""
        ...

    def restore(
        self,
        members: Iterable[tuple[int, ClusterDoc]],
        storylines: Mapping[int, int] | None = None,
        *,
        min_next_id: int = 1,
    ) -> None:
        """Rebuild the state from stored clusters after a restart.

        Each ``(cluster_id, doc)`` puts ``doc`` back into cluster ``cluster_id`` (ids
        must be positive). ``storylines`` optionally maps a restored cluster id to its
        storyline id; a cluster missing from it is its own storyline. Afterwards
        ``next_id`` is larger than every restored id and at least ``min_next_id`` (pass
        the largest stored cluster id + 1 when only recent clusters are restored, so
        that ids are never reused). Restoring is meant for a fresh clusterer or one that
        only saw other restored documents; restoring a cluster id that already exists
        adds the documents to it.
        """
        ...
