from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"
HELSINKI = SHARED_DATA / "news-helsinki-2018" / "helsinki_articles.csv"
REUTERS = SHARED_DATA / "reuters21578"

SOURCE_AFP = "002_a03570c17a29d6cf"
COPY_AFP = "003_17a6059d906b2d12"
REWRITE_AFP = "001_4f88ccd7cf78f350"
INDEPENDENT = ("000_8ada7a739096a9c5", "004_803d6f5bea246b18")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def helsinki_csv() -> Path:
    if not HELSINKI.exists():
        pytest.skip(f"real corpus absent: {HELSINKI}")
    return HELSINKI


@pytest.fixture(scope="session")
def reuters_dir() -> Path:
    if not any(REUTERS.glob("reut2-*.sgm")):
        pytest.skip(f"real corpus absent: {REUTERS}")
    return REUTERS


@pytest.fixture
def tiny_parts(monkeypatch):
    """Parts of a few articles, and no step small enough to run in the driver: every path goes through the pool."""
    from syndicate import plan

    for name, value in (("PART", 7), ("PART_BYTES", 2000), ("BATCH", 3), ("VERIFY_CHUNK", 5), ("INLINE_ROWS", 0),
                        ("INLINE_PAIRS", 0), ("INLINE_ARTICLES", 0), ("INLINE_LINKED", 0), ("FURNITURE_TASK", 2),
                        ("BLOCKS_PER_TASK", 2), ("BANDS_PER_TASK", 3), ("INLINE_GROUPS", 0), ("GROUPS_PER_TASK", 2)):
        monkeypatch.setattr(plan, name, value)
