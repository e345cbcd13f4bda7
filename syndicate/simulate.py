"""A syndication simulator: real wire stories in, outlet copies with known edits out, labels by construction.

No public labelled corpus of wire reuse is reachable, so ground truth is built from real text:
each chosen wire story is republished by several simulated outlets, each kind of reuse drawn at
a controlled rate, and the labels say exactly which pairs share a source, how each copy was
changed, and which pairs only look alike. Every labelled pair carries a *kind* tag (the table
is `syndicate.evaluate.KINDS`):

* ``copy``: the wire republished whole or edited (tail trimmed, middle paragraphs dropped, the
  outlet's own paragraphs added, names respelt in house style, captions, datelines, swapped
  neighbours, paragraphs split or merged); verbatim copies differ only in page furniture;
* ``teaser``: an aggregator page: headline / "Outlet•" / headline / "More" / the whole body or
  its first sentences flattened into one paragraph; ``teaser-short``: the first one to three
  paragraphs under a restyled headline;
* ``excerpt-20-40`` / ``excerpt-40-60``: that share of the wire's words, in one run or a few,
  verbatim or lightly edited, inside a longer local story;
* ``paraphrase-light`` / ``-moderate`` / ``-heavy``: the wire rewritten at that strength
  (`syndicate.paraphrase`), facts and order kept;
* ``quote-heavy``: copies of a wire story that is mostly a quoted statement;
* ``sibling``: two copies of one wire story (positive: same family);
* hard negatives, labelled negative against every member of the family: independent reports of
  the same event (another real story on the topic) that share with the wire ``shares-quotes``
  (its quoted speech, in the outlet's own quote marks), ``shares-tweets`` (embedded posts with
  the "— Name (@handle) Month D, YYYY" line), ``shares-instagram`` ("A post shared by …"
  captions) or ``shares-transcript`` (interview turns "Q: …" / "NAME: …" in the same order).

`simulate_short` builds the other set: short texts (100–300 words) derived from a longer source
at three revision levels, and independent short texts on the same topic written from other
stories, as the classic "plagiarised short answers" corpora are built.

Every outlet repeats its own boilerplate on every page, as real sites do. Wire stories keep
their dates; copies follow an hour to `max_delay_hours` later; independent reports fall around
the wire's time, sometimes before it. The same seed and input give the same archive and labels.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from .article import Article, parse_date
from .normalise import words
from .paraphrase import STRENGTHS, Context, paraphrase, paraphrase_paragraphs, split_sentences
from .shingle import shingle_paragraphs

NEGATIVE_KINDS = ("shares-quotes", "shares-tweets", "shares-instagram", "shares-transcript")
SHORT_LEVELS = ("near", "light", "heavy")
_EPOCH = datetime(1987, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SimulationConfig:
    """Rates of every kind of reuse and edit. Each copy is verbatim, rewritten, a teaser, an excerpt or else edited."""

    stories: int = 200
    copies: int = 4
    """Outlet copies per wire story."""
    min_paragraphs: int = 6
    """Wire-like stories only: at least this many paragraphs."""
    min_words: int = 150
    outlets: int = 12
    verbatim: float = 0.1
    rewritten: float = 0.2
    """Paraphrased copies; the strength is drawn with the weights `strengths` (light, moderate, heavy)."""
    teaser: float = 0.1
    """Teaser pages: half aggregator layouts (body flattened into one paragraph), half short teasers."""
    excerpt: float = 0.15
    """Excerpts of 20-60 % of the wire's words inside a longer local story."""
    strengths: tuple[float, float, float] = (1.0, 1.0, 1.0)
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
    relayout: float = 0.2
    """Chance an edited copy splits some paragraphs at a sentence and merges some neighbours."""
    statement: float = 0.3
    """Per wire story without quoted speech: chance it is mostly a quoted statement (its copies are the
    ``quote-heavy`` kind)."""
    shares_quotes: float = 0.25
    shares_tweets: float = 0.15
    shares_instagram: float = 0.05
    shares_transcript: float = 0.15
    """Per wire story, each: chance of an independent report sharing that kind of quoted material with it."""
    max_delay_hours: int = 72
    seed: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.type == "float" and not 0.0 <= value <= 1.0:
                raise ValueError(f"{item.name} must be in [0, 1], got {value}")
        if self.verbatim + self.rewritten + self.teaser + self.excerpt > 1.0:
            raise ValueError("verbatim + rewritten + teaser + excerpt must not exceed 1")
        if len(self.strengths) != 3 or min(self.strengths) < 0 or sum(self.strengths) <= 0:
            raise ValueError("strengths must be three non-negative weights (light, moderate, heavy), not all zero")
        if self.stories < 1 or self.copies < 1 or self.outlets < 1:
            raise ValueError("stories, copies and outlets must be at least 1")
        if self.max_delay_hours < 1:
            raise ValueError("max_delay_hours must be at least 1")


@dataclass(frozen=True)
class ShortTextConfig:
    """Short texts derived from longer sources, one per revision level, and independent ones per source."""

    sources: int = 100
    independent: int = 2
    """Independent same-topic texts per source."""
    min_words: int = 100
    max_words: int = 300
    min_source_words: int = 300
    """Sources must be longer than the longest text cut from them."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.sources < 1 or self.independent < 0:
            raise ValueError("sources must be at least 1 and independent at least 0")
        if not 20 <= self.min_words <= self.max_words:
            raise ValueError("need 20 <= min_words <= max_words")
        if self.min_source_words < self.max_words:
            raise ValueError("min_source_words must be at least max_words")


@dataclass
class Simulation:
    articles: list[Article]
    labels: dict
    """In the labels format of syndicate.evaluate, with per-pair tags and per-group tags."""
    copies: list[dict] = field(default_factory=list)
    """What was made of each derived article: its wire, kind, subtype, edits and the share of the wire it kept."""


_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{4,}")
_PERSON = re.compile(r"\b([A-Z][a-z]{2,}) (?:[A-Z]\. )?([A-Z][a-zA-Z'-]{3,}),? (?:said|says|told|added)\b")
_QUOTED_SPAN = re.compile(r"\"([^\"]{30,240}?)[,.]?\"")
_STOPWORDS = frozenset(re.findall(r"\w+",
    "the a an and or of to in on for with by at from that this it its is was were be been said says will would "
    "has have had not but as are which their they he she we mln dlrs pct reuter company year billion"))
_NOT_NAMES = frozenset(("The", "This", "That", "These", "Those", "There", "They", "But", "And", "In", "On", "At", "For",
                        "It", "He", "She", "We", "As", "If", "When", "While", "After", "Before", "Its", "His", "Her",
                        "A", "An", "One", "Two", "Last", "New", "Under", "Some", "Most", "Many", "Analysts", "Reuters"))
_CITIES = ("NEW YORK", "LONDON", "WASHINGTON", "TOKYO", "FRANKFURT", "PARIS", "CHICAGO", "SYDNEY", "HONG KONG")
_FIRST = ("Karen", "David", "Maria", "James", "Anne", "Peter", "Linda", "Robert", "Susan", "Thomas", "Helen", "Mark")
_LAST = ("Holloway", "Brandt", "Okafor", "Lindqvist", "Moretti", "Tanaka", "Vasquez", "Delacroix", "Brennan", "Sato")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_NOT_RESPELT = frozenset((*_MONTHS, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                         "Sunday", "Reuters", "America", "American", "Americans", "United", "States", "Washington",
                         "London", "Europe", "European", "President", "Minister", "Congress", "Senate", "House",
                         "Department", "Treasury", "Federal", "National", "International", "Company", "Group"))
_QUOTE_STYLES = (('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb"), ("\u201e", "\u201c"))
"""Straight, typographic, guillemets, German low-high."""
_QUESTIONS = (
    "What do you expect from the talks?", "Are you worried about the situation?", "Can you say more about what was "
    "agreed?", "Was this raised in your meeting?", "How do you answer critics who say the policy has failed?",
    "What happens next?", "Do you think the dispute can be settled this year?", "Why did it take so long to reach "
    "a decision?", "Is there a deadline?", "Who will lead the negotiations?", "Have you spoken to your counterparts "
    "since?", "What would you say to investors who are nervous?", "Does that change your forecast?",
    "Will there be more job cuts?",
)  # fmt: skip
_TWEET_FRAMES = ("{name} wrote on Twitter:", "In a tweet, {name} said:", "{name} posted on Twitter:",
                 "Shortly afterwards {name} tweeted:", "{name} took to Twitter to comment:")
_INSTAGRAM_FRAMES = ("{name} shared a photo on Instagram:", "On Instagram, {name} wrote:",
                     "{name} posted on Instagram:")
_TRANSCRIPT_FRAMES = ("{name} took questions from reporters. Part of the exchange:",
                      "Here is part of what {name} told reporters:", "From a transcript of the news conference:",
                      "The exchange with reporters, as released:")
_QUOTE_FRAMES = ("{open}{quote}{close}, {name} said.", "{name} said: {open}{quote}{close}",
                 "{open}{quote}{close}, {name} told reporters.", "{name} added: {open}{quote}{close}")


@dataclass(frozen=True)
class _Outlet:
    name: str
    boilerplate: tuple[str, ...]
    caption_style: str
    quotes: tuple[str, str]
    respellings: dict[str, str]


@dataclass
class _Pools:
    """Spare stories, each used once: so that nothing links two families by accident."""

    negatives: list[Article]
    locals: list[Article]
    paragraphs: list[str]
    quotes: list[str]


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
    pools = _pools(distinct[config.stories :], rng)
    outlets = [_make_outlet(number, rng) for number in range(1, config.outlets + 1)]
    topic_words = {story.id: _topic_words(story) for story in [*wires, *pools.negatives]}
    out: list[Article] = []
    pairs: list[dict] = []
    groups: list[dict] = []
    copies: list[dict] = []
    for wire in wires:
        wire, shared = _prepare_wire(wire, config, rng, pools)
        out.append(wire)
        family: list[tuple[str, dict | None]] = [(wire.id, None)]
        for outlet in rng.sample(outlets, min(config.copies, len(outlets))):
            article, facts = _make_copy(wire, outlet, config, rng, pools, statement="statement" in shared)
            out.append(article)
            copies.append(facts)
            family.append((article.id, facts))
        kinds = sorted({facts["kind"] for _, facts in family if facts is not None})
        groups.append({"members": [member for member, _ in family], "source": wire.id,
                       "tags": [*kinds, *(["statement"] if "statement" in shared else [])]})
        pairs.extend(_family_pairs(family))
        for kind in NEGATIVE_KINDS:
            if kind not in shared or not pools.negatives:
                continue
            other = max(pools.negatives, key=lambda s: _overlap(topic_words[wire.id], topic_words[s.id]))
            pools.negatives.remove(other)
            negative = _independent_report(wire, other, kind, shared[kind], rng.choice(outlets), rng)
            out.append(negative)
            groups.append({"members": [negative.id], "tags": [kind]})
            pairs.extend({"a": member, "b": negative.id, "label": "negative", "subtype": None,
                          "tags": [kind, "hard-negative"]} for member, _ in family)
    negatives = len(out) - len(wires) - len(copies)
    labels = {
        "description": f"Simulated syndication (syndicate.simulate, seed {config.seed}): {len(wires)} wire stories, "
                       f"{len(copies)} outlet copies, {negatives} independent reports sharing quoted material.",
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


def _pools(spare: list[Article], rng: random.Random) -> _Pools:
    """Split the spare stories four ways: independent reports, local stories, added paragraphs, quotes."""
    negatives, locals_, filler, speech = spare[0::4], spare[1::4], spare[2::4], spare[3::4]
    paragraphs = [p for story in filler for p in story.paragraphs[1:] if len(p.split()) >= 12 and '"' not in p]
    quotes = [m.group(1).strip() for story in speech for p in story.paragraphs for m in _QUOTED_SPAN.finditer(p)
              if len(m.group(1).split()) >= 6]
    rng.shuffle(paragraphs)
    rng.shuffle(quotes)
    return _Pools(negatives=negatives, locals=locals_, paragraphs=paragraphs, quotes=quotes)


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
                   quotes=rng.choice(_QUOTE_STYLES), respellings={})


# ---------------------------------------------------------------------------------------------------- the wire


def _prepare_wire(wire: Article, config: SimulationConfig, rng: random.Random,
                  pools: _Pools) -> tuple[Article, dict[str, list]]:
    """The wire as published: dated, maybe a statement, with the quoted material independent reports will share."""
    date = parse_date(wire.date) or _EPOCH
    paragraphs = list(wire.paragraphs)
    shared: dict[str, list] = {}
    speaker = _speaker(wire, rng)
    if rng.random() < config.statement and not any('"' in p for p in paragraphs):
        paragraphs = _as_statement(paragraphs, _organisation(wire), date)
        shared["statement"] = []
    if rng.random() < config.shares_quotes:
        spans = [(_quoted_speaker(paragraphs, number, speaker), m.group(1).strip())
                 for number, p in enumerate(paragraphs) if p.count('"') % 2 == 0  # a stray mark is not speech
                 for m in _QUOTED_SPAN.finditer(p) if len(m.group(1).split()) >= 6]
        if len(spans) >= 2:
            picks = sorted(rng.sample(range(len(spans)), min(len(spans), rng.randint(2, 4))))
            shared["shares-quotes"] = [spans[i] for i in picks]
    inserts: list[list[str]] = []
    if rng.random() < config.shares_tweets and len(pools.quotes) >= 2:
        posts = [_tweet(speaker, pools.quotes.pop(), date, rng) for _ in range(min(len(pools.quotes),
                                                                                      rng.randint(2, 4)))]
        shared["shares-tweets"] = posts
        inserts.extend([rng.choice(_TWEET_FRAMES).format(name=speaker), *post] for post in posts)
    if rng.random() < config.shares_instagram and pools.quotes:
        posts = [_instagram(speaker, pools.quotes.pop(), date, rng) for _ in range(min(len(pools.quotes),
                                                                                          rng.randint(1, 2)))]
        shared["shares-instagram"] = posts
        inserts.extend([rng.choice(_INSTAGRAM_FRAMES).format(name=speaker), *post] for post in posts)
    if rng.random() < config.shares_transcript and len(pools.quotes) >= 4:
        turns = _transcript(speaker, pools, rng)
        shared["shares-transcript"] = turns
        inserts.append([rng.choice(_TRANSCRIPT_FRAMES).format(name=speaker), *turns])
    for block in inserts:  # embedded material goes after the lead, in order
        position = rng.randint(1, len(paragraphs))
        paragraphs[position:position] = block
    return Article(id=wire.id, paragraphs=tuple(paragraphs), title=wire.title, outlet=wire.outlet,
                   date=date.isoformat(), url=wire.url), shared


def _as_statement(paragraphs: list[str], organisation: str, date: datetime) -> list[str]:
    """The lead, then most of the story as the organisation's quoted statement, paragraph by paragraph."""
    weekday = date.strftime("%A")
    return [paragraphs[0], f"{organisation} said in a statement on {weekday}:",
            *(f'"{p.strip()}"' for p in paragraphs[1:])]


def _speaker(article: Article, rng: random.Random) -> str:
    """A person named in the story, or else an invented spokesperson."""
    people = sorted(set(_people(article.paragraphs)))
    return rng.choice(people) if people else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _people(paragraphs: Iterable[str]) -> list[str]:
    """People named as speaking ('Jon Rosenbaum said'), in order of appearance."""
    return [f"{m[1]} {m[2]}" for p in paragraphs for m in _PERSON.finditer(p) if m[1] not in _NOT_NAMES]


def _quoted_speaker(paragraphs: Sequence[str], number: int, default: str) -> str:
    """Who is quoted in paragraph `number`: the person it names as speaking, else the last one named before it."""
    for paragraph in reversed(paragraphs[: number + 1]):
        if people := _people([paragraph]):
            return people[-1]
    return default


def _organisation(article: Article) -> str:
    match = re.match(r"([A-Z][\w&.'-]*(?: (?:[A-Z][\w&.'-]*|of|and)){0,4})", article.paragraphs[0])
    name = match.group(1) if match else ""
    return name if name and name.split()[0] not in _NOT_NAMES else "The company"


def _handle(name: str) -> str:
    first, _, last = name.partition(" ")
    return f"{first[:1]}{last or first}".replace(" ", "")


def _tweet(name: str, text: str, date: datetime, rng: random.Random) -> list[str]:
    """An embedded tweet as scraped: the text (maybe with a picture link) and the date line."""
    body = text if rng.random() < 0.5 else f"{text} pic.twitter.com/{_code(rng)}"
    line = f"\u2014 {name} (@{_handle(name)}) {_MONTHS[date.month - 1]} {date.day}, {date.year}"
    return [f"{body} {line}"] if rng.random() < 0.5 else [body, line]


def _instagram(name: str, text: str, date: datetime, rng: random.Random) -> list[str]:
    hour, minute = rng.randint(1, 12), rng.randint(0, 59)
    return [text, f"A post shared by {name} (@{_handle(name).lower()}) on {_MONTHS[date.month - 1][:3]} {date.day}, "
                  f"{date.year} at {hour}:{minute:02d}{rng.choice(('am', 'pm'))} PDT"]


def _transcript(name: str, pools: _Pools, rng: random.Random) -> list[str]:
    label = name.split()[-1].upper()
    turns = []
    for question in rng.sample(_QUESTIONS, min(len(pools.quotes), rng.randint(2, 4))):
        turns.append(f"Q: {question}")
        turns.append(f"{label}: {pools.quotes.pop()}")
    return turns


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))


# ---------------------------------------------------------------------------------------------------- copies


def _make_copy(wire: Article, outlet: _Outlet, config: SimulationConfig, rng: random.Random, pools: _Pools,
               statement: bool) -> tuple[Article, dict]:
    roll = rng.random()
    thresholds = [("verbatim", config.verbatim)]
    if not statement:  # a statement's copies are plain copies, so that 'quote-heavy' measures one thing
        thresholds += [("rewritten", config.rewritten), ("teaser", config.teaser), ("excerpt", config.excerpt)]
    choice, bound = "edited", 0.0
    for name, rate in thresholds:
        bound += rate
        if roll < bound:
            choice = name
            break
    if choice == "excerpt" and not pools.locals:
        choice = "edited"  # no spare story left to hold an excerpt
    copy_id = f"{wire.id}~{outlet.name.lower().replace(' ', '-')}"
    wire_words = _word_count(wire.paragraphs)
    if choice == "teaser":
        paragraphs, facts = _teaser(wire, outlet, rng)
    elif choice == "excerpt":
        paragraphs, facts = _excerpt(wire, outlet, rng, pools)
    else:
        paragraphs, facts = _edited_copy(wire, outlet, config, rng, pools, choice)
    if statement:
        facts["kind"] = "quote-heavy"
    paragraphs.extend(outlet.boilerplate)
    date = (parse_date(wire.date) or _EPOCH) + timedelta(minutes=rng.randint(60, 60 * config.max_delay_hours))
    title = facts.pop("title", wire.title)
    article = Article(id=copy_id, paragraphs=tuple(paragraphs), title=title, outlet=outlet.name,
                      date=date.isoformat())
    kept_words = facts.pop("kept_words")
    return article, {"id": copy_id, "wire": wire.id, **facts, "kept_words": round(kept_words / max(1, wire_words), 4)}


def _edited_copy(wire: Article, outlet: _Outlet, config: SimulationConfig, rng: random.Random, pools: _Pools,
                 subtype: str) -> tuple[list[str], dict]:
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
    kind = "copy"
    if subtype == "rewritten":
        strength = rng.choices(STRENGTHS, weights=config.strengths)[0]
        paragraphs = paraphrase_paragraphs(paragraphs, strength, rng, Context.of(wire.paragraphs,
                                                                                  parse_date(wire.date)))
        edits.append("paraphrase")
        kind = f"paraphrase-{strength}"
    if subtype != "verbatim":
        if rng.random() < config.relayout and len(paragraphs) > 1:
            paragraphs = _relayout(paragraphs, rng)
            edits.append("layout")
        if rng.random() < config.respell:
            paragraphs, changed = _respell(paragraphs, outlet, rng)
            if changed:
                edits.append("respell")
        if rng.random() < config.add and pools.paragraphs:
            for _ in range(rng.randint(1, 3)):
                if pools.paragraphs:
                    paragraphs.insert(rng.randint(1, len(paragraphs)), pools.paragraphs.pop())
            edits.append("add")
        if rng.random() < config.caption:
            people = _people(wire.paragraphs)
            name = people[0] if people else "A trader"
            paragraphs.insert(rng.randint(0, min(2, len(paragraphs))),
                              outlet.caption_style.format(name=name, outlet=outlet.name))
            edits.append("caption")
        if rng.random() < config.dateline:
            paragraphs[0] = f"{rng.choice(_CITIES)} ({outlet.name}) - {paragraphs[0]}"
            edits.append("dateline")
    kept_words = _word_count(wire.paragraphs[i] for i in set(indices))
    return paragraphs, {"kind": kind, "subtype": subtype, "edits": edits, "kept": round(kept, 4),
                        "kept_words": kept_words}


def _relayout(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Split a paragraph of several sentences in two, and merge a pair of neighbours (a site's own layout)."""
    out: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if len(sentences) >= 2 and rng.random() < 0.5:
            cut = rng.randint(1, len(sentences) - 1)
            out.extend((" ".join(sentences[:cut]), " ".join(sentences[cut:])))
        else:
            out.append(paragraph)
    if len(out) > 2:
        position = rng.randint(1, len(out) - 2)
        out[position : position + 2] = [f"{out[position]} {out[position + 1]}"]
    return out


def _teaser(wire: Article, outlet: _Outlet, rng: random.Random) -> tuple[list[str], dict]:
    """An aggregator's layout (body flattened into one paragraph) or a short teaser under a restyled headline."""
    headline = _restyled_headline(wire, rng)
    if rng.random() < 0.5:
        sentences = [s for p in wire.paragraphs for s in split_sentences(p)]
        whole = rng.random() < 0.5
        count = len(sentences) if whole else min(len(sentences), rng.randint(2, 6))
        body = " ".join(sentences[:count])
        credit = rng.choice(("Reuters", outlet.name, f"{outlet.name} Wire"))
        layout = [headline, f"{credit}\u2022", headline, "More", body]
        kept_words = _word_count(sentences[:count])
        return layout, {"kind": "teaser", "subtype": "verbatim" if whole else "edited", "sentences": count,
                        "edits": ["flattened"] + ([] if whole else ["trim"]), "kept": 1.0 if whole else 0.0,
                        "title": headline, "kept_words": kept_words}
    count = rng.randint(1, min(3, len(wire.paragraphs) - 1))
    layout = [headline, *wire.paragraphs[:count], f"Read the full story at {outlet.name}."]
    return layout, {"kind": "teaser-short", "subtype": "edited", "edits": ["trim"],
                    "kept": round(count / len(wire.paragraphs), 4), "title": headline,
                    "kept_words": _word_count(wire.paragraphs[:count])}


def _restyled_headline(wire: Article, rng: random.Random) -> str:
    title = wire.title or " ".join(wire.paragraphs[0].split()[:10])
    if title.isupper():
        small = {"a", "an", "the", "of", "on", "in", "to", "for", "and", "or", "at", "by", "with", "from"}
        title = " ".join(w.lower() if w.lower() in small and i else w.capitalize()
                         for i, w in enumerate(title.split()))
    return rng.choice((title, f"{title} - report", f"UPDATE: {title}", title.rstrip(".") + ", sources say"))


def _excerpt(wire: Article, outlet: _Outlet, rng: random.Random, pools: _Pools) -> tuple[list[str], dict]:
    """20-60 % of the wire's words, in one to three runs, inside a longer local story."""
    sizes = [len(p.split()) for p in wire.paragraphs]
    total = sum(sizes)
    windows = {band: [(i, j) for i in range(len(sizes)) for j in range(i + 1, len(sizes) + 1)
                      if low <= sum(sizes[i:j]) / total < high]
               for band, (low, high) in {"20-40": (0.2, 0.4), "40-60": (0.4, 0.6)}.items()}
    band = rng.choice([b for b in sorted(windows) if windows[b]] or ["40-60"])
    start, end = rng.choice(windows[band]) if windows[band] else (0, max(1, len(sizes) // 2))
    run = list(wire.paragraphs[start:end])
    edits: list[str] = []
    if rng.random() < 0.5:
        run = [paraphrase(p, "light", rng, Context.of(wire.paragraphs, parse_date(wire.date))) for p in run]
        edits.append("paraphrase")
    if rng.random() < 0.3:
        run[0] = f"According to Reuters, {run[0][:1].lower()}{run[0][1:]}"
        edits.append("attribution")
    title, local = _local_story(pools, _word_count(run), rng)
    runs = _cut(run, rng)
    paragraphs = [local.pop(0)]
    slots = len(runs) + 1
    for number, piece in enumerate(runs):
        take = rng.randint(0, max(0, len(local) - (slots - number - 1)))
        paragraphs.extend(local[:take] if number else local[: max(1, take)])
        del local[: take if number else max(1, take)]
        paragraphs.extend(piece)
    paragraphs.extend(local)
    kept_words = sum(sizes[start:end])
    return paragraphs, {"kind": f"excerpt-{band}", "subtype": "edited", "edits": [*edits, f"runs-{len(runs)}"],
                        "kept": round((end - start) / len(sizes), 4), "title": title,
                        "kept_words": kept_words}


def _cut(items: list[str], rng: random.Random) -> list[list[str]]:
    """`items` cut into one to three consecutive runs."""
    pieces = min(len(items), rng.randint(1, 3))
    cuts = sorted(rng.sample(range(1, len(items)), pieces - 1)) if pieces > 1 else []
    return [items[a:b] for a, b in pairwise([0, *cuts, len(items)])]


def _local_story(pools: _Pools, excerpt_words: int, rng: random.Random) -> tuple[str | None, list[str]]:
    """The title and paragraphs of spare local stories, more words than the excerpt they will hold."""
    target = excerpt_words * rng.uniform(1.0, 1.6)
    paragraphs: list[str] = []
    title = None
    while pools.locals and _word_count(paragraphs) < target:
        story = pools.locals.pop()
        title = title or story.title
        paragraphs.extend(story.paragraphs)
    return title, paragraphs


def _family_pairs(family: list[tuple[str, dict | None]]) -> list[dict]:
    """Every pair in a story's family is positive; the subtype is the heavier edit of the two."""
    order = {"verbatim": 0, "edited": 1, "rewritten": 2}
    pairs = []
    for i, (a, facts_a) in enumerate(family):
        for b, facts_b in family[i + 1 :]:
            sides = [f for f in (facts_a, facts_b) if f is not None]
            subtype = max((f["subtype"] for f in sides), key=order.__getitem__)
            kept = min(f["kept"] for f in sides)
            kind = facts_b["kind"] if facts_a is None and facts_b is not None else "sibling"
            tags = [kind, "wire-copy" if facts_a is None else "copy-copy", f"kept-{'half' if kept >= 0.5 else 'less'}"]
            tags.extend(sorted({edit for f in sides for edit in f["edits"]}))
            if facts_a is None and kind in ("copy", "quote-heavy") and subtype != "rewritten" and kept >= 0.5:
                tags.append("target")
            pairs.append({"a": a, "b": b, "label": "positive", "subtype": subtype, "tags": tags})
    return pairs


# ---------------------------------------------------------------------------------------------------- negatives


def _independent_report(wire: Article, other: Article, kind: str, material: list, outlet: _Outlet,
                        rng: random.Random) -> Article:
    """Another real story on the topic, made to print the wire's quoted material in the same order."""
    paragraphs = list(other.paragraphs)
    blocks: list[list[str]] = []
    if kind == "shares-quotes":
        opening, closing = outlet.quotes
        for name, quote in material:
            frame = rng.choice(_QUOTE_FRAMES)
            blocks.append([frame.format(open=opening, close=closing, quote=quote, name=name)])
    elif kind == "shares-tweets":
        name = _poster(material)
        blocks.extend([rng.choice(_TWEET_FRAMES).format(name=name), *post] for post in material)
    elif kind == "shares-instagram":
        name = _poster(material)
        blocks.extend([rng.choice(_INSTAGRAM_FRAMES).format(name=name), *post] for post in material)
    else:
        name = material[1].split(":", 1)[0].title()
        first = rng.choice(range(0, max(1, len(material) - 5), 2))  # a run of whole question-answer pairs
        blocks.append([rng.choice(_TRANSCRIPT_FRAMES).format(name=name), *material[first:]])
    positions = sorted(rng.randint(1, len(paragraphs)) for _ in blocks)
    for offset, (position, block) in enumerate(zip(positions, blocks, strict=True)):
        at = position + sum(len(b) for b in blocks[:offset])
        paragraphs[at:at] = block
    paragraphs.extend(outlet.boilerplate)
    date = (parse_date(wire.date) or _EPOCH) + timedelta(minutes=rng.randint(-12 * 60, 24 * 60))
    return Article(id=f"{other.id}~report~{outlet.name.lower().replace(' ', '-')}", paragraphs=tuple(paragraphs),
                   title=other.title, outlet=outlet.name, date=date.isoformat())


def _poster(posts: list[list[str]]) -> str:
    """The name on a post's date line ('— Name (@handle) …' or 'A post shared by Name (@handle) …')."""
    line = posts[0][-1]
    match = re.search(r"(?:\u2014 |A post shared by )(.+?) \(@", line)
    return match.group(1) if match else "the account holder"


# ---------------------------------------------------------------------------------------------------- short texts


def simulate_short(articles: Iterable[Article], config: ShortTextConfig | None = None) -> Simulation:
    """Short texts derived from longer sources at three revision levels, and independent ones on the same topics.

    Each source gets one text per level in SHORT_LEVELS, 100-300 words cut from one place in it:
    ``near`` copies the sentences (one sentence lightly reworded), ``light`` paraphrases them lightly,
    ``heavy`` heavily. Independent texts are cut the same way from *other* stories on the topic
    (the most similar by content words, not in the archive) and lightly or moderately reworded,
    so the two kinds of text have been through the same machinery. Pairs are labelled source -> text.
    """
    config = config or ShortTextConfig()
    rng = random.Random(config.seed)
    pool = [a for a in articles if _word_count(a.paragraphs) >= config.min_source_words]
    rng.shuffle(pool)
    distinct = _distinct_stories(pool)
    if len(distinct) < 2:
        raise ValueError(f"need at least two distinct stories of >= {config.min_source_words} words")
    sources = distinct[: config.sources]
    others = distinct[config.sources :] or distinct[:]
    topic_words = {story.id: _topic_words(story) for story in [*sources, *others]}
    out: list[Article] = []
    pairs: list[dict] = []
    groups: list[dict] = []
    texts: list[dict] = []
    for source in sources:
        date = parse_date(source.date) or _EPOCH
        source = Article(id=source.id, paragraphs=source.paragraphs, title=source.title, outlet=source.outlet,
                         date=date.isoformat(), url=source.url)
        made: list[tuple[list[str], dict]] = []
        for level in SHORT_LEVELS:
            made.append((_short_text(source, level, config, rng), {"kind": f"short-{level}", "from": source.id}))
        candidates = [s for s in others if s.id != source.id]
        ranked = sorted(candidates, key=lambda s: (-_overlap(topic_words[source.id], topic_words[s.id]), s.id))
        for other in ranked[: config.independent]:
            if other in others and len(others) > config.independent:
                others.remove(other)
            made.append((_short_text(other, rng.choice(("light", "moderate")), config, rng),
                         {"kind": "short-independent", "from": other.id}))
        order = rng.sample(range(len(made)), len(made))  # ids must not give the kind away
        members = [source.id]
        out.append(source)
        for number, index in enumerate(order):
            paragraphs, facts = made[index]
            text_id = f"{source.id}~text-{number + 1}"
            out.append(Article(id=text_id, paragraphs=tuple(paragraphs), title=None, outlet=f"Writer {number + 1}",
                               date=(date + timedelta(hours=rng.randint(2, 72))).isoformat()))
            texts.append({"id": text_id, "source": source.id, "words": _word_count(paragraphs), **facts})
            positive = facts["kind"] != "short-independent"
            level = facts["kind"].removeprefix("short-")
            pairs.append({"a": source.id, "b": text_id, "label": "positive" if positive else "negative",
                          "subtype": ("rewritten" if level == "heavy" else "edited") if positive else None,
                          "tags": [facts["kind"]] + ([] if positive else ["hard-negative"])})
            if positive:
                members.append(text_id)
            else:
                groups.append({"members": [text_id], "tags": ["short-independent"]})
        groups.append({"members": members, "source": source.id, "tags": ["short"]})
    labels = {
        "description": f"Short derived texts (syndicate.simulate_short, seed {config.seed}): {len(sources)} sources, "
                       f"{len(texts)} short texts ({len(SHORT_LEVELS)} derived and up to {config.independent} "
                       f"independent per source).",
        "pairs": pairs,
        "groups": groups,
    }
    return Simulation(articles=out, labels=labels, copies=texts)


def _short_text(story: Article, level: str, config: ShortTextConfig, rng: random.Random) -> list[str]:
    """min_words-max_words of consecutive sentences, reworded at `level`, in one to three paragraphs."""
    sentences = [s for p in story.paragraphs for s in split_sentences(p)]
    target = rng.randint(config.min_words, config.max_words)
    start = rng.randrange(len(sentences))
    picked: list[str] = []
    for sentence in sentences[start:] + sentences[:start]:  # wrap round: still one source, other order
        if _word_count(picked) + len(sentence.split()) > config.max_words and _word_count(picked) >= config.min_words:
            break
        picked.append(sentence)
        if _word_count(picked) >= target:
            break
    context = Context.of(story.paragraphs, parse_date(story.date))
    if level == "near":
        reword = rng.randrange(len(picked))
        picked[reword] = paraphrase(picked[reword], "light", rng, context)
    else:
        picked = [paraphrase(s, level, rng, context) for s in picked]
    return [" ".join(run) for run in _cut(picked, rng)]


# ---------------------------------------------------------------------------------------------------- helpers


def _respell(paragraphs: list[str], outlet: _Outlet, rng: random.Random) -> tuple[list[str], bool]:
    """House style: the outlet spells one or two names its own way ('Hezbollah' -> 'Hizbullah').

    Only names: words the story never writes in lower case, and not months, weekdays or the
    common capitalised words of news copy ('Reuters', 'Washington', 'Minister').
    """
    lower = {m.group(0) for p in paragraphs for m in re.finditer(r"\b[a-z]+\b", p)}
    names = sorted({m.group(0) for p in paragraphs for m in _NAME.finditer(p)
                    if m.group(0).lower() not in lower and m.group(0) not in _NOT_RESPELT})
    if not names:
        return paragraphs, False
    for name in rng.sample(names, min(len(names), rng.randint(1, 2))):
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


def _topic_words(article: Article) -> frozenset[str]:
    return frozenset(w for w in words(" ".join(article.paragraphs)) if len(w) > 3 and w not in _STOPWORDS
                     and not w.isdigit())


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _word_count(paragraphs: Iterable[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)
