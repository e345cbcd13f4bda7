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


def brief(rng: random.Random, number: int) -> Article:
    """A one-template brief: the template's words in the template's order, a different name in every slot (so two
    briefs share no 5-word shingle: only their content terms could align them)."""
    def name() -> str:
        return rng.choice(NAMES)

    return article(f"brief-{number}", [
        f"{name()} issuing {name()} eurobond {name()} paying {name()} coupon {name()} priced {name()} yield "
        f"{name()} manager {name()} said.",
        f"{name()} bond {name()} denominations {name()} listed {name()} concession {name()} underwriting "
        f"{name()} fees {name()} combined.",
        f"{name()} payment {name()} date {name()} issue {name()} settlement {name()} clearing {name()} agent."])


NAMES = ("Alpha", "Nordic", "Credit", "Finance", "Pacific", "Union", "Investment", "Capital", "Trust", "Royal",
         "Mortgage", "Energy", "Export", "Holdings", "Industrial", "Bank", "Securities", "Continental")


FURNITURE = "Subscribe to our newsletter for the latest headlines delivered to your inbox every single morning."


def wire_archive(stories: int = 40, seed: int = 5) -> list[Article]:
    """Wire stories over three months, each run by a few outlets (whole, trimmed, extended or edited), some
    undated, one outlet's furniture under unrelated stories: every stage of a scan has work."""
    rng = random.Random(seed)
    articles = []
    for number in range(stories):
        wire = story(1000 + number, paragraphs=rng.randint(3, 8), length=rng.randint(12, 30))
        day = 1 + number * 90 // stories
        for copy in range(rng.randint(1, 4)):
            paragraphs = list(wire)
            if copy and rng.random() < 0.4:
                paragraphs = paragraphs[: rng.randint(2, len(paragraphs))]
            if copy and rng.random() < 0.4:
                paragraphs.append(paragraph(rng, 25))
            if copy and rng.random() < 0.3:
                words = paragraphs[0].split()
                words[rng.randrange(len(words))] = "reportedly"
                paragraphs[0] = " ".join(words)
            outlet = f"outlet-{rng.randrange(6)}"
            if outlet == "outlet-0":
                paragraphs.append(FURNITURE)
            date = None if rng.random() < 0.1 else f"2024-{1 + (day + copy) // 31:02d}-{1 + (day + copy) % 28:02d}"
            articles.append(article(f"s{number:03d}-{copy}", paragraphs, outlet=outlet, date=date))
        if number % 7 == 0:  # the wire story run again two months later: a link a time window leaves out
            late = f"2024-{4 + day // 31:02d}-{1 + day % 28:02d}"
            articles.append(article(f"late{number:03d}", wire, outlet="archive-rerun", date=late))
        if number % 3 == 0:  # an independent report quoting one paragraph of the wire: a candidate, not a link
            own = story(5000 + number, paragraphs=6, length=30)
            articles.append(article(f"r{number:03d}", [*own[:3], wire[-1], *own[3:]], outlet="local",
                                    date=f"2024-{1 + day // 31:02d}-{1 + day % 28:02d}"))
    rng.shuffle(articles)
    return articles
