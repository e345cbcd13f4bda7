"""Synthetic archives for the scaling benchmark: realistic volume, not labelled quality.

Articles are written by a first-order word Markov chain trained on real Reuters-21578 bodies, so
vocabulary, sentence and paragraph lengths, and the rate at which stock phrases recur look like
news while almost every 5-gram stays new (a shuffle of real paragraphs would repeat
each one thousands of times in a million articles, which no archive does). A share of the
articles are copies of a recent article (some verbatim, some trimmed, extended or lightly
edited), so the candidate, verify and cluster stages have real work. Labelled evaluation lives
in ``syndicate/simulate.py``; this only makes volume.

    python benchmarks/synthetic.py 100000 --out benchmarks/out/synthetic-100k.jsonl
    python benchmarks/synthetic.py 100000 --days 180 --copy-delay 3 --out benchmarks/out/synthetic-100k-6months.jsonl
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import Article
from syndicate.article import write_jsonl as syndicate_write_jsonl

COPY_SHARE = 0.05
"""Share of articles that copy an earlier one (their source is among the previous COPY_WINDOW)."""
COPY_WINDOW = 2000
ORDER = 1
"""Words of context per step. Order 2 re-emits long runs of its source, so independent synthetic articles
shared 5-grams far more than real ones do and the candidate count grew with the square of the archive."""
_START = ("<s>",) * ORDER
START = date(2026, 1, 1)


class MarkovText:
    """Word Markov chain (ORDER words of context) over sentences of real text."""

    def __init__(self, paragraphs: list[str]) -> None:
        successors: dict[tuple[str, ...], list[str]] = defaultdict(list)
        sentence_counts = []
        for paragraph in paragraphs:
            sentences = [s.split() for s in paragraph.replace("? ", ". ").split(". ") if s.split()]
            sentence_counts.append(len(sentences))
            for words in sentences:
                state = _START
                for word in [*words, "</s>"]:
                    successors[state].append(word)
                    state = (*state[1:], word)
        self._successors = dict(successors)
        self._sentence_counts = sentence_counts or [2]

    def paragraph(self, rng: random.Random) -> str:
        sentences = []
        for _ in range(rng.choice(self._sentence_counts)):
            state, words = _START, []
            while len(words) < 80:
                word = rng.choice(self._successors[state])
                if word == "</s>":
                    break
                words.append(word)
                state = (*state[1:], word)
            sentences.append(" ".join(words).rstrip(".") + ".")
        return " ".join(sentences)


def archive(count: int, seed: int = 0, reuters_dir: Path | None = None, days: int = 28,
            copy_delay: int = 0) -> Iterator[Article]:
    """`count` articles; ids ``syn-<n>``; copies carry outlet ``copier`` and their source's story.

    Dates run evenly from 2026-01-01 over `days` days (28 by default; 180 or 365 for a long archive, to
    measure time windows). A copy is dated its source's date plus 0 to `copy_delay` days."""
    from . import reuters

    directory = reuters_dir or reuters.DEFAULT_DIR
    if not reuters.available(directory):
        yield from zipf_articles(count, seed)
        return
    real = list(reuters.read_reuters(directory))
    chain = MarkovText([p for article in real for p in article.paragraphs])
    lengths = [len(article.paragraphs) for article in real]
    rng = random.Random(seed)
    recent: list[Article] = []
    for number in range(count):
        if recent and rng.random() < COPY_SHARE:
            article = _copy(rng.choice(recent), f"syn-{number}", chain, rng)
            if copy_delay:
                article = replace(article, date=_later(article.date, rng.randint(0, copy_delay)))
        else:
            paragraphs = tuple(chain.paragraph(rng) for _ in range(rng.choice(lengths)))
            article = Article(id=f"syn-{number}", paragraphs=paragraphs, outlet=f"outlet-{rng.randrange(50)}",
                              date=(START + timedelta(days=number * days // count)).isoformat())
        recent.append(article)
        if len(recent) > COPY_WINDOW:
            recent.pop(0)
        yield article


def _later(date: str | None, days: int) -> str | None:
    return (datetime.fromisoformat(date).date() + timedelta(days=days)).isoformat() if date else date


def _copy(source: Article, new_id: str, chain: MarkovText, rng: random.Random) -> Article:
    paragraphs = list(source.paragraphs)
    edit = rng.random()
    if edit < 0.3 and len(paragraphs) > 2:
        paragraphs = paragraphs[: rng.randint(2, len(paragraphs))]  # trimmed
    elif edit < 0.6:
        paragraphs.append(chain.paragraph(rng))  # extended with a local paragraph
    elif edit < 0.8:
        words = paragraphs[0].split()
        words[rng.randrange(len(words))] = "reportedly"  # lightly edited
        paragraphs[0] = " ".join(words)
    return Article(id=new_id, paragraphs=tuple(paragraphs), outlet="copier", date=source.date)


def zipf_articles(count: int, seed: int = 0) -> Iterator[Article]:
    """Fallback without real text: words drawn from a Zipf law over a made-up vocabulary."""
    rng = random.Random(seed)
    vocabulary = [f"w{index}" for index in range(20000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    for number in range(count):
        paragraphs = tuple(" ".join(rng.choices(vocabulary, weights, k=rng.randint(15, 45)))
                           for _ in range(rng.randint(2, 9)))
        yield Article(id=f"zipf-{number}", paragraphs=paragraphs, outlet="synthetic")


def write_jsonl(articles: Iterator[Article], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        return syndicate_write_jsonl(articles, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=int, default=28, help="dates spread over this many days")
    parser.add_argument("--copy-delay", type=int, default=0, help="copies run up to this many days after their source")
    args = parser.parse_args()
    articles = archive(args.count, args.seed, days=args.days, copy_delay=args.copy_delay)
    print(f"wrote {write_jsonl(articles, args.out)} articles to {args.out}")


if __name__ == "__main__":
    main()
