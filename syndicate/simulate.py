"""A syndication simulator: real wire stories in, outlet copies with known edits out, labels by construction.

No public labelled corpus of wire reuse is reachable, so ground truth is built from real text:
each chosen wire story is republished by several simulated outlets, each edit drawn at a
controlled rate, and the labels say exactly which pairs share a source and how each copy was
changed. Edits, as outlets make them:

* **verbatim** copies carry the wire text unchanged (plus the outlet's page furniture);
* **edited** copies trim the tail, drop middle paragraphs, add the outlet's own paragraphs,
  respell names in house style, insert captions and datelines, and swap paragraphs;
* **rewritten** copies also paraphrase most sentences (synonyms and clause swaps);
* **hard negatives** are other stories on the same topic that quote the same sentence or two.

Every outlet repeats its own boilerplate on every page, as real sites do, so the furniture
learner is exercised too. The same seed and input give the same archive and labels.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .article import Article
from .normalise import words
from .shingle import shingle_paragraphs


@dataclass(frozen=True)
class SimulationConfig:
    """Rates of every edit. Each copy is verbatim, rewritten or else edited."""

    stories: int = 200
    copies: int = 4
    """Outlet copies per wire story."""
    min_paragraphs: int = 6
    """Wire-like stories only: at least this many paragraphs."""
    min_words: int = 150
    outlets: int = 12
    verbatim: float = 0.15
    rewritten: float = 0.15
    trim: float = 0.5
    """Chance an edited copy cuts the tail; it keeps between min_keep and all of the paragraphs."""
    min_keep: float = 0.25
    drop: float = 0.3
    """Chance an edited copy drops middle paragraphs (each with probability drop_paragraph)."""
    drop_paragraph: float = 0.25
    add: float = 0.4
    """Chance an edited copy adds one to three paragraphs of its own."""
    respell: float = 0.5
    caption: float = 0.3
    dateline: float = 0.5
    reorder: float = 0.2
    """Chance an edited copy swaps neighbouring paragraphs (each swap with probability 0.3)."""
    paraphrase: float = 0.8
    """In a rewritten copy: share of sentences paraphrased."""
    hard_negatives: float = 0.5
    """Per wire story: chance of a same-topic story that quotes one to two of its sentences."""
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("verbatim", "rewritten", "trim", "min_keep", "drop", "drop_paragraph", "add", "respell",
                     "caption", "dateline", "reorder", "paraphrase", "hard_negatives"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.verbatim + self.rewritten > 1.0:
            raise ValueError("verbatim + rewritten must not exceed 1")
        if self.stories < 1 or self.copies < 1 or self.outlets < 1:
            raise ValueError("stories, copies and outlets must be at least 1")


@dataclass
class Simulation:
    articles: list[Article]
    labels: dict
    """In the labels format of syndicate.evaluate, with per-pair tags and the edits of each copy."""
    copies: list[dict] = field(default_factory=list)


# Synonyms an editor reaches for; chosen so that each swap breaks the 5-word shingles around it.
SYNONYMS = {
    "said": "stated", "says": "states", "company": "firm", "companies": "firms", "rose": "climbed",
    "fell": "dropped", "increase": "rise", "increased": "raised", "decrease": "cut", "expected": "forecast",
    "announced": "disclosed", "agreed": "consented", "about": "around", "also": "additionally", "would": "will",
    "purchase": "buy", "acquire": "buy", "total": "overall", "major": "big", "official": "spokesman",
    "officials": "sources", "government": "administration", "market": "markets", "shares": "stock",
    "year": "twelve months", "month": "four weeks", "week": "seven days", "told": "informed",
    "reported": "posted", "because": "as", "however": "but", "before": "prior to", "after": "following",
    "under": "below", "over": "above", "between": "among", "profit": "earnings", "loss": "deficit",
    "plans": "intends", "plan": "proposal", "agreement": "deal", "percent": "pct", "pct": "percent",
    "billion": "bln", "million": "mln", "mln": "million", "bln": "billion", "dlrs": "dollars",
    "economic": "economy's", "new": "fresh", "first": "initial", "last": "previous", "sales": "revenues",
    "prices": "rates", "price": "cost", "meeting": "talks", "spokesman": "official", "trade": "commerce",
    "bank": "lender", "banks": "lenders", "more": "further", "foreign": "overseas", "could": "might",
    "may": "might", "interest": "borrowing", "added": "continued", "today": "on this day", "analysts": "experts",
    "production": "output", "industry": "sector", "trading": "dealing", "made": "produced", "offer": "bid",
    "financial": "finance", "which": "that", "some": "several", "other": "further", "against": "versus",
    "countries": "nations", "end": "close", "should": "ought to", "when": "as soon as", "now": "currently",
    "only": "just", "into": "in", "than": "compared with", "if": "should", "up": "higher", "world": "global",
    "international": "world", "securities": "paper", "exchange": "bourse", "stock": "equity", "debt": "borrowings",
    "tax": "levy", "growth": "expansion", "quarter": "three months", "group": "concern", "per": "a",
}  # fmt: skip
_SAID = re.compile(r"^(?P<who>(?:The|A|An) [a-z]+|[A-Z][a-z]+(?: [A-Z][a-z]+)?|He|She|It|They) "
                   r"(?P<verb>said|says|told reporters) (?:that )?(?P<what>.+?)\.?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{4,}")
_STOPWORDS = frozenset(re.findall(r"\w+",
    "the a an and or of to in on for with by at from that this it its is was were be been said says will would "
    "has have had not but as are which their they he she we mln dlrs pct reuter company year billion"))
_CITIES = ("NEW YORK", "LONDON", "WASHINGTON", "TOKYO", "FRANKFURT", "PARIS", "CHICAGO", "SYDNEY", "HONG KONG")


@dataclass(frozen=True)
class _Outlet:
    name: str
    boilerplate: tuple[str, ...]
    caption_style: str
    respellings: dict[str, str]


def eligible_stories(articles: Iterable[Article], config: SimulationConfig) -> list[Article]:
    """Wire-like stories: several paragraphs and enough words to be a story rather than a table."""
    return [a for a in articles
            if len(a.paragraphs) >= config.min_paragraphs and sum(len(p.split()) for p in a.paragraphs)
            >= config.min_words]


def simulate(articles: Iterable[Article], config: SimulationConfig | None = None) -> Simulation:
    """Build a simulated archive and its labels from the wire-like stories among `articles`."""
    config = config or SimulationConfig()
    rng = random.Random(config.seed)
    pool = eligible_stories(articles, config)
    rng.shuffle(pool)
    distinct = _distinct_stories(pool)
    if not distinct:
        raise ValueError(f"no wire-like stories (>= {config.min_paragraphs} paragraphs, "
                         f">= {config.min_words} words) in the input")
    wires = distinct[: config.stories]
    spare = distinct[config.stories :]
    # Spare stories give the hard negatives their text and, separately, the outlets their own paragraphs.
    negative_sources, filler = spare[::2], spare[1::2]
    extra_paragraphs = [p for story in filler for p in story.paragraphs[1:] if len(p.split()) >= 12]
    rng.shuffle(extra_paragraphs)
    outlets = [_make_outlet(number, rng) for number in range(1, config.outlets + 1)]
    out: list[Article] = []
    pairs: list[dict] = []
    groups: list[dict] = []
    copies: list[dict] = []
    topic_words = {story.id: _topic_words(story) for story in [*wires, *negative_sources]}
    for wire in wires:
        wire_copy = _with_date(wire, _parse(wire.date) or datetime(2000, 1, 1), 0)
        out.append(wire_copy)
        family = [(wire_copy.id, None)]
        for outlet in rng.sample(outlets, min(config.copies, len(outlets))):
            article, facts = _make_copy(wire_copy, outlet, config, rng, extra_paragraphs)
            out.append(article)
            copies.append(facts)
            family.append((article.id, facts))
        groups.append({"members": [member for member, _ in family], "source": wire_copy.id})
        pairs.extend(_family_pairs(family))
        if negative_sources and rng.random() < config.hard_negatives:
            other = max(negative_sources, key=lambda s: _overlap(topic_words[wire.id], topic_words[s.id]))
            negative_sources.remove(other)
            negative = _hard_negative(wire_copy, other, rng.choice(outlets), rng)
            out.append(negative)
            groups.append({"members": [negative.id]})
            pairs.extend({"a": member, "b": negative.id, "label": "negative", "subtype": None,
                          "tags": ["hard-negative"]} for member, _ in family)
    labels = {
        "description": f"Simulated syndication (syndicate.simulate, seed {config.seed}): {len(wires)} wire stories, "
                       f"{len(copies)} outlet copies, {len(out) - len(wires) - len(copies)} hard negatives.",
        "pairs": pairs,
        "groups": groups,
    }
    return Simulation(articles=out, labels=labels, copies=copies)


def _distinct_stories(stories: Sequence[Article], limit: float = 0.05) -> list[Article]:
    """Drop stories that share more than `limit` of their shingles with one kept before (wire re-sends)."""
    owner: dict[int, int] = {}
    kept: list[Article] = []
    for story in stories:
        values = shingle_paragraphs(story.paragraphs).values.tolist()
        unique = set(values)
        shared = Counter(owner[v] for v in unique if v in owner)
        if shared and max(shared.values()) > limit * len(unique):
            continue
        for value in unique:
            owner.setdefault(value, len(kept))
        kept.append(story)
    return kept


def _make_outlet(number: int, rng: random.Random) -> _Outlet:
    name = f"Outlet {number:02d}"
    boilerplate = (
        f"Sign up for the {name} morning briefing and get the day's top stories in your inbox.",
        f"Copyright {name} Media Group. All rights reserved. This material may not be redistributed.",
        f"Read more business news and analysis from {name} on our website and in the app.",
    )
    caption_style = rng.choice(("Photo: {name} / {outlet}", "FILE PHOTO: {name} pictured at an event. ({outlet})",
                                "{name} is seen in this file image. Credit: {outlet} archive"))
    return _Outlet(name=name, boilerplate=boilerplate[: rng.randint(1, 3)], caption_style=caption_style,
                   respellings={})


def _make_copy(wire: Article, outlet: _Outlet, config: SimulationConfig, rng: random.Random,
               extra_paragraphs: list[str]) -> tuple[Article, dict]:
    roll = rng.random()
    subtype = "verbatim" if roll < config.verbatim else "rewritten" if roll < config.verbatim + config.rewritten \
        else "edited"
    indices = list(range(len(wire.paragraphs)))
    edits: list[str] = []
    if subtype != "verbatim":
        if rng.random() < config.trim:
            keep = rng.randint(max(1, round(config.min_keep * len(indices))), len(indices) - 1)
            indices = indices[:keep]
            edits.append("trim")
        if rng.random() < config.drop and len(indices) > 3:
            middle = [i for i in indices[1:-1] if rng.random() >= config.drop_paragraph]
            if len(middle) < len(indices) - 2:
                indices = [indices[0], *middle, indices[-1]]
                edits.append("drop")
        if rng.random() < config.reorder and len(indices) > 2:
            for position in range(1, len(indices) - 1):
                if rng.random() < 0.3:
                    indices[position], indices[position + 1] = indices[position + 1], indices[position]
            edits.append("reorder")
    kept = len(set(indices)) / len(wire.paragraphs)
    paragraphs = [wire.paragraphs[i] for i in indices]
    if subtype == "rewritten":
        paragraphs = [_paraphrase(p, config.paraphrase, rng) for p in paragraphs]
        edits.append("paraphrase")
    if subtype != "verbatim":
        if rng.random() < config.respell:
            paragraphs, changed = _respell(paragraphs, outlet, rng)
            if changed:
                edits.append("respell")
        if rng.random() < config.add and extra_paragraphs:
            for _ in range(rng.randint(1, 3)):
                if extra_paragraphs:
                    paragraphs.insert(rng.randint(1, len(paragraphs)), extra_paragraphs.pop())
            edits.append("add")
        if rng.random() < config.caption:
            name = _names(wire)[0] if _names(wire) else "A trader"
            paragraphs.insert(rng.randint(0, min(2, len(paragraphs))),
                              outlet.caption_style.format(name=name, outlet=outlet.name))
            edits.append("caption")
        if rng.random() < config.dateline:
            paragraphs[0] = f"{rng.choice(_CITIES)} ({outlet.name}) - {paragraphs[0]}"
            edits.append("dateline")
    paragraphs.extend(outlet.boilerplate)
    copy_id = f"{wire.id}~{outlet.name.lower().replace(' ', '-')}"
    date = (_parse(wire.date) or datetime(2000, 1, 1)) + timedelta(hours=rng.randint(1, 12))
    article = Article(id=copy_id, paragraphs=tuple(paragraphs), title=wire.title, outlet=outlet.name,
                      date=date.isoformat())
    facts = {"id": copy_id, "wire": wire.id, "subtype": subtype, "edits": edits, "kept": round(kept, 4)}
    return article, facts


def _family_pairs(family: list[tuple[str, dict | None]]) -> list[dict]:
    """Every pair in a story's family is positive; the subtype is the heavier edit of the two."""
    order = {"verbatim": 0, "edited": 1, "rewritten": 2}
    pairs = []
    for i, (a, facts_a) in enumerate(family):
        for b, facts_b in family[i + 1 :]:
            sides = [f for f in (facts_a, facts_b) if f is not None]
            subtype = max((f["subtype"] for f in sides), key=order.__getitem__)
            kept = min(f["kept"] for f in sides)
            tags = ["wire-copy" if facts_a is None else "copy-copy", f"kept-{'half' if kept >= 0.5 else 'less'}"]
            tags.extend(sorted({edit for f in sides for edit in f["edits"]}))
            if facts_a is None and subtype != "rewritten" and kept >= 0.5:
                tags.append("target")
            pairs.append({"a": a, "b": b, "label": "positive", "subtype": subtype, "tags": tags})
    return pairs


def _hard_negative(wire: Article, other: Article, outlet: _Outlet, rng: random.Random) -> Article:
    """Another story on the topic that quotes one or two of the wire's sentences word for word."""
    sentences = [s for p in wire.paragraphs for s in _SENTENCE_END.split(p) if len(s.split()) >= 8]
    quoted = [s for s in sentences if '"' in s] or sentences
    picks = rng.sample(quoted, min(len(quoted), rng.randint(1, 2)))
    paragraphs = list(other.paragraphs)
    for sentence in picks:
        position = rng.randint(1, len(paragraphs))
        paragraphs.insert(position, f"As reported earlier, {sentence[0].lower()}{sentence[1:]}")
    paragraphs.extend(outlet.boilerplate)
    return Article(id=f"{other.id}~negative~{outlet.name.lower().replace(' ', '-')}", paragraphs=tuple(paragraphs),
                   title=other.title, outlet=outlet.name, date=_with_date(other, _parse(wire.date), 2).date)


def _paraphrase(paragraph: str, rate: float, rng: random.Random) -> str:
    sentences = _SENTENCE_END.split(paragraph)
    return " ".join(_paraphrase_sentence(s) if rng.random() < rate else s for s in sentences)


def _paraphrase_sentence(sentence: str) -> str:
    """Swap 'X said Y.' to 'Y, X said.' (or 'A, B.' to 'B, A.'), then replace words by synonyms."""
    match = _SAID.match(sentence.strip())
    if match and len(match["what"].split()) >= 4:
        who = match["who"] if match["who"] not in ("He", "She", "It", "They") \
            and not match["who"].startswith(("The ", "A ", "An ")) else match["who"].lower()
        what = match["what"]
        sentence = f"{what[0].upper()}{what[1:]}, {who} {match['verb']}."
    else:
        head, comma, tail = sentence.rstrip(".").partition(", ")
        if comma and len(head.split()) >= 4 and len(tail.split()) >= 4:
            sentence = f"{tail[0].upper()}{tail[1:]}, {head[0].lower() if head[1:2].islower() else head[0]}{head[1:]}."
    tokens = re.split(r"(\W+)", sentence)
    return "".join(_swap_case(SYNONYMS[t.lower()], t) if t.lower() in SYNONYMS else t for t in tokens)


def _swap_case(replacement: str, original: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement


def _respell(paragraphs: list[str], outlet: _Outlet, rng: random.Random) -> tuple[list[str], bool]:
    """House style: the outlet spells some names its own way ('Hezbollah' -> 'Hizbullah')."""
    names = sorted({m.group(0) for p in paragraphs for m in _NAME.finditer(p)})
    if not names:
        return paragraphs, False
    for name in rng.sample(names, max(1, len(names) // 2)):
        outlet.respellings.setdefault(name, _variant(name))
    table = {name: outlet.respellings[name] for name in names if name in outlet.respellings}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b")
    return [pattern.sub(lambda m: table[m.group(0)], p) for p in paragraphs], True


def _variant(name: str) -> str:
    """A plausible alternative spelling: a vowel shift, else a doubled consonant."""
    for old, new in (("e", "i"), ("o", "u"), ("ie", "y"), ("a", "e")):
        position = name.find(old, 1)
        if position > 0:
            return name[:position] + new + name[position + len(old) :]
    return name + name[-1]


def _names(article: Article) -> list[str]:
    return [m.group(0) for p in article.paragraphs for m in _NAME.finditer(p)]


def _topic_words(article: Article) -> frozenset[str]:
    return frozenset(w for w in words(" ".join(article.paragraphs)) if len(w) > 3 and w not in _STOPWORDS
                     and not w.isdigit())


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _parse(date: str | None) -> datetime | None:
    if not date:
        return None
    try:
        return datetime.fromisoformat(date)
    except ValueError:
        return None


def _with_date(article: Article, date: datetime | None, hours: int) -> Article:
    when = (date or datetime(2000, 1, 1)) + timedelta(hours=hours)
    return Article(id=article.id, paragraphs=article.paragraphs, title=article.title, outlet=article.outlet,
                   date=when.isoformat(), url=article.url)
