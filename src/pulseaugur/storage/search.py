"""Full-text search of events on SQLite (FTS5) and PostgreSQL (``tsvector``).

One index row per live event with a story, keyed by the event's id and written with its
story (``write_document``): the headline, the summary and IMPACT, the tags and entities,
and the titles (``title`` and ``title_en``) of the event's items. Merged-away events lose
their row. Ranking weighs the headline highest, then tags and entities, then titles, then
the summary: BM25 on SQLite, ``ts_rank`` on PostgreSQL.

Language choices, the same on both engines so a query finds the same events on either:

- English words are stemmed and no word is a stop word: FTS5's ``porter`` tokenizer,
  and on PostgreSQL the configuration ``pulseaugur_english`` (``PG_CONFIG``): the
  ``english`` configuration with its Snowball stemmer but without its stop-word list.
  Most text is English, and items in other languages carry an English ``title_en`` that
  is indexed too, so stemming (``launches`` finds ``launch``) helps most readers; the
  ``simple`` configuration would miss every plural and tense. The stock ``english``
  configuration drops stop words, so ``The Who`` or ``a OR`` would match nothing on
  PostgreSQL but something on SQLite; without them both engines agree.
- Chinese and Japanese have no spaces between words and neither engine segments them
  (FTS5's ``unicode61`` would index a whole run of Han characters as one token, so
  ``模型`` would not find ``新模型发布``). Every Han or kana character is indexed as a
  token of its own (``spaced``) and a run of them in a query is searched as a phrase, so
  any run of one or more characters matches where it occurs. FTS5's ``trigram``
  tokenizer would also solve this, but it matches nothing for queries under three
  characters (most Chinese words have two), does not stem, ranks substrings of words
  (``cat`` in ``education``) and makes a larger index; PostgreSQL has no equivalent
  without an extension.

The reader's text is never a query language (``query_terms``): it is cut into words
(runs of letters and digits; quotes, operators, ``*``, ``:``, ``-`` and other
punctuation only separate words), and all words must match. Each word is passed as a
quoted FTS5 string or a bound ``phraseto_tsquery`` argument, never spliced into SQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from pulseaugur.storage.schema import SEARCH_TABLE

PG_CONFIG = "pulseaugur_english"
"""PostgreSQL's text search configuration, created by migration 0010 in the schema of
the tables (see the module docstring)."""

_PG_STEMMER = "pulseaugur_english_stem"

FTS5_TOKENIZER = "porter unicode61 remove_diacritics 2"
"""FTS5's tokenizer (see the module docstring)."""

MAX_TERMS = 16
"""Words of a query beyond this many are ignored."""

MAX_TERM_CHARS = 64
"""Longer words are cut to this many characters."""

MAX_QUERY_CHARS = 1000
"""Only this much of a query is read."""

_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff])")

# Column weights for FTS5's bm25, in column order (headline, terms, titles, body).
_FTS5_WEIGHTS = "10.0, 4.0, 2.0, 1.0"


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """The text one event is found by, in four fields of decreasing weight."""

    headline: str
    terms: str
    titles: str
    body: str


def spaced(text: str) -> str:
    """``text`` with every Han and kana character made a word of its own."""
    return _CJK.sub(r" \1 ", text)


def query_terms(query: str) -> list[str]:
    """The words of a reader's query, each already ``spaced``; duplicates dropped
    (ignoring case), at most ``MAX_TERMS`` of at most ``MAX_TERM_CHARS`` characters.
    Empty when the query has no letters or digits."""
    terms: list[str] = []
    seen: set[str] = set()
    for word in _words(query[:MAX_QUERY_CHARS]):
        word = word[:MAX_TERM_CHARS]
        key = word.casefold()
        if key in seen:
            continue
        seen.add(key)
        terms.append(" ".join(spaced(word).split()))
        if len(terms) == MAX_TERMS:
            break
    return terms


def _words(text: str) -> list[str]:
    """Runs of letters, digits and combining marks (Unicode categories L, N and M)."""
    cleaned = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    return cleaned.split()


def document(
    headline: str,
    summary: Iterable[str],
    impact: str,
    tags: Iterable[str],
    entities: Iterable[str],
    titles: Iterable[str],
) -> SearchDocument:
    """The search document of an event (titles deduplicated, in order)."""
    unique_titles = dict.fromkeys(title for title in titles if title)
    return SearchDocument(
        headline=spaced(headline),
        terms=spaced(" ; ".join([*tags, *entities])),
        titles=spaced(" ; ".join(unique_titles)),
        body=spaced(" ".join([*summary, impact])),
    )


# ---- schema (migration 0010) ------------------------------------------------------------


def create_statements(dialect: str) -> list[str]:
    """DDL creating the search index on ``dialect`` (``sqlite`` or ``postgresql``)."""
    if dialect == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
            f"headline, terms, titles, body, tokenize = '{FTS5_TOKENIZER}')"
        ]
    return [
        # Snowball's English stemmer without a stop-word list, for every kind of word.
        f"CREATE TEXT SEARCH DICTIONARY {_PG_STEMMER} (TEMPLATE = snowball, LANGUAGE = english)",
        f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = english)",
        f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR"
        f" asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH {_PG_STEMMER}",
        f"CREATE TABLE {SEARCH_TABLE} ("
        " cluster_id INTEGER NOT NULL PRIMARY KEY REFERENCES clusters (id),"
        " document TSVECTOR NOT NULL)",
        f"CREATE INDEX ix_{SEARCH_TABLE}_document ON {SEARCH_TABLE} USING GIN (document)",
    ]


def drop_statements(dialect: str) -> list[str]:
    """DDL dropping the search index."""
    statements = [f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]
    if dialect == "postgresql":
        statements += [
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}",
            f"DROP TEXT SEARCH DICTIONARY IF EXISTS {_PG_STEMMER}",
        ]
    return statements


# ---- writes -----------------------------------------------------------------------------


def write_document(conn: sa.Connection, cluster_id: int, doc: SearchDocument) -> None:
    """Insert or replace the index row of event ``cluster_id``."""
    values = {
        "cluster_id": cluster_id,
        "headline": doc.headline,
        "terms": doc.terms,
        "titles": doc.titles,
        "body": doc.body,
    }
    if conn.dialect.name == "sqlite":
        delete_document(conn, cluster_id)
        conn.execute(
            sa.text(
                f"INSERT INTO {SEARCH_TABLE} (rowid, headline, terms, titles, body)"
                " VALUES (:cluster_id, :headline, :terms, :titles, :body)"
            ),
            values,
        )
        return
    conn.execute(
        sa.text(
            f"INSERT INTO {SEARCH_TABLE} (cluster_id, document) VALUES (:cluster_id,"
            f" setweight(to_tsvector('{PG_CONFIG}', :headline), 'A')"
            f" || setweight(to_tsvector('{PG_CONFIG}', :terms), 'B')"
            f" || setweight(to_tsvector('{PG_CONFIG}', :titles), 'C')"
            f" || setweight(to_tsvector('{PG_CONFIG}', :body), 'D'))"
            " ON CONFLICT (cluster_id) DO UPDATE SET document = EXCLUDED.document"
        ),
        values,
    )


def delete_document(conn: sa.Connection, cluster_id: int) -> None:
    """Remove the index row of event ``cluster_id`` (if any)."""
    key = "rowid" if conn.dialect.name == "sqlite" else "cluster_id"
    conn.execute(
        sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE {key} = :cluster_id"),
        {"cluster_id": cluster_id},
    )


# ---- queries ----------------------------------------------------------------------------


def ranked_ids(conn: sa.Connection, terms: Sequence[str], limit: int, offset: int) -> list[int]:
    """Ids of live events with a story matching every term, best first (ties: newer id
    first), ``limit`` of them after skipping ``offset``. ``terms`` from ``query_terms``,
    not empty."""
    params: dict[str, object] = {"limit": limit, "offset": offset}
    live = (
        " JOIN clusters c ON c.id = {key} JOIN stories st ON st.cluster_id = c.id"
        " WHERE c.merged_into IS NULL AND "
    )
    if conn.dialect.name == "sqlite":
        # Each term becomes one FTS5 string (a phrase of its tokens); strings side by side
        # must all match. Terms hold only letters, digits and spaces: no quote to escape.
        params["match"] = " ".join(f'"{term}"' for term in terms)
        sql = (
            f"SELECT c.id FROM {SEARCH_TABLE} s"
            + live.format(key="s.rowid")
            + f"{SEARCH_TABLE} MATCH :match"
            f" ORDER BY bm25({SEARCH_TABLE}, {_FTS5_WEIGHTS}), c.id DESC"
            " LIMIT :limit OFFSET :offset"
        )
    else:
        parts = []
        for n, term in enumerate(terms):
            params[f"t{n}"] = term
            parts.append(f"phraseto_tsquery('{PG_CONFIG}', :t{n})")
        sql = (
            f"SELECT c.id FROM {SEARCH_TABLE} s"
            f" CROSS JOIN (SELECT {' && '.join(parts)} AS query) q"
            + live.format(key="s.cluster_id")
            + "s.document @@ q.query"
            " ORDER BY ts_rank(s.document, q.query) DESC, c.id DESC"
            " LIMIT :limit OFFSET :offset"
        )
    return [int(row[0]) for row in conn.execute(sa.text(sql), params)]
