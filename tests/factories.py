"""Deterministic synthetic articles for tests: stories made of random words, so overlap is known exactly."""

from __future__ import annotations

import random

from syndicate import Article

VOCABULARY = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in "aeiou" for c in "bdgklmnprstxz"]


def paragraph(rng: random.Random, length: int = 30) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(length)).capitalize() + "."


def story(seed: int, paragraphs: int = 8, length: int = 30) -> list[str]:
    rng = random.Random(seed)
    return [paragraph(rng, length) for _ in range(paragraphs)]


def article(id: str, paragraphs: list[str], outlet: str | None = None, date: str | None = None) -> Article:
    return Article(id=id, paragraphs=tuple(paragraphs), outlet=outlet, date=date)
