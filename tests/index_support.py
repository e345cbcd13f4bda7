"""Shared by the index tests: a scenario with copies, rewrites-free noise and site furniture, and a Redis URL."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from factories import article, paragraph, story

from syndicate import Article
from syndicate.columns import SketchColumns
from syndicate.index import Index
from syndicate.read import read_articles
from syndicate.terms import NUMBER

REDIS_ENV = "SYNDICATE_TEST_REDIS"
FURNITURE = [
    "Sign up for our newsletter to get the best stories delivered to your inbox every morning.",
    "Share this article on Facebook Twitter WhatsApp or copy the link to send it to a friend.",
]


def seed_articles(seeds_dir: Path) -> dict[str, Article]:
    return {a.id: a for a in read_articles([seeds_dir])}


def site_story(id: str, seed: int, outlet: str = "example.com") -> Article:
    """An independent story wrapped in the site's furniture."""
    return article(id, [FURNITURE[0], *story(seed, paragraphs=5), FURNITURE[1]], outlet=outlet)


def scenario() -> tuple[list[Article], list[Article]]:
    """(articles to index, articles to check): wire copies, unrelated stories and shared furniture."""
    rng = random.Random(5)
    wire = story(1, paragraphs=6)
    indexed = [article("wire", wire, outlet="agency")]
    indexed += [site_story(f"site-{i}", 50 + i) for i in range(5)]
    indexed += [article(f"other-{i}", story(70 + i), outlet=f"o{i}.net") for i in range(4)]
    checked = [
        article("copy-trimmed", [FURNITURE[0], *wire[:4], paragraph(rng), FURNITURE[1]], outlet="example.com"),
        article("copy-extended", [*wire, *story(90, paragraphs=4)], outlet="daily.org"),
        site_story("site-new", 99),
        article("fresh", story(120), outlet="fresh.org"),
        indexed[7],
    ]
    return indexed, checked


def assert_term_counts_are_a_recount(index: Index) -> None:
    """The stored term counts are what the scan's own counting (SketchColumns.term_holders) finds over the stored
    articles' arrays: every content term that is not a number with its holders, and no other term stored."""
    entries = index._store.load(list(index.ids()))
    columns = SketchColumns()
    columns.add_stored([entry.article for entry in entries], [entry.evidence for entry in entries])
    terms, holders = columns.term_holders()
    words = (terms & np.uint32(NUMBER)) == 0
    terms, holders = terms[words].astype(np.int64), holders[words]
    assert index._store.term_holders(terms).tolist() == holders.tolist()
    assert index.stats()["terms"] == len(terms)


@pytest.fixture(name="target", params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def target_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An index location on each backend: a SQLite file, and a fresh namespace on the test Redis server."""
    if request.param == "sqlite":
        yield str(tmp_path / "index.db")
    else:
        yield from fresh_namespace_url(redis_url())


def redis_url() -> str:
    """The test server's URL; skips outside CI when there is none, fails in CI."""
    url = os.environ.get(REDIS_ENV)
    problem = None
    if not url:
        problem = f"no Redis server for tests: set {REDIS_ENV}=redis://127.0.0.1:PORT/0 (.ci/run starts one)"
    else:
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except Exception as error:  # any failure to reach the server means the same thing here
            problem = f"Redis server at {url} not reachable: {error}"
    if problem:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{problem} (CI must run the Redis tests)")
        pytest.skip(problem)
    return url


def fresh_namespace_url(url: str) -> Iterator[str]:
    """A URL whose namespace no other test uses; its keys are deleted afterwards."""
    import redis

    namespace = f"test-{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}namespace={namespace}"
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
