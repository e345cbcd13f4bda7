"""The simulator makes each kind of reuse at the rates asked, deterministically, and labels what it built."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syndicate import Article
from syndicate.article import parse_date
from syndicate.cli import app
from syndicate.evaluate import KINDS, NEGATIVE_KINDS, POSITIVE_KINDS, parse_labels
from syndicate.paraphrase import split_sentences
from syndicate.simulate import ShortTextConfig, SimulationConfig, _variant, simulate, simulate_short

_WORDS = ("market", "trade", "bank", "oil", "price", "output", "quarter", "board", "shares", "group", "plan", "deal",
          "talks", "rate", "growth", "export", "import", "budget", "loss", "profit", "debt", "bond", "yield")
_NAMES = ("Brennan", "Okafor", "Lindqvist", "Moretti", "Delacroix", "Tanaka", "Hollister", "Vasquez")
_FIRST = ("Karen", "David", "Maria", "James")


def _stories(count: int = 40, seed: int = 7) -> list[Article]:
    """Synthetic wire stories: distinct vocabulary per story so that they never overlap by chance.

    Every 5-word window holds a story-specific word; each story quotes one named person, so
    that quoted speech (for quotes, tweets and transcripts) is there to share.
    """
    rnd = random.Random(seed)
    stories = []
    for number in range(count):
        paragraphs = []
        for p in range(rnd.randint(9, 12)):
            name = rnd.choice(_NAMES)
            unique = [f"{rnd.choice(_WORDS)}{number}x{p}{i}" for i in range(18)]
            words = " ".join(unique[:14])
            paragraphs.append(f"The {unique[14]} said that {words} would rise. {unique[15]} {unique[16]} from {name} "
                              f"agreed on {unique[17]}.")
        speaker = f"{rnd.choice(_FIRST)} {rnd.choice(_NAMES)}"
        for q in range(2):
            quote = " ".join(f"{rnd.choice(_WORDS)}{number}q{q}{i}" for i in range(9))
            paragraphs.insert(2 + 2 * q, f'"We will {quote} soon," {speaker} said.')
        stories.append(Article(id=f"story-{number:03d}", paragraphs=tuple(paragraphs), title=f"STORY {number} RISES",
                               date="1987-03-02T10:00:00"))
    return stories


CONFIG = SimulationConfig(stories=12, copies=4, outlets=6, seed=3, min_paragraphs=6, min_words=100)
EVERYTHING = replace(CONFIG, stories=16, copies=6, verbatim=0.1, rewritten=0.3, teaser=0.3, excerpt=0.3,
                     statement=1.0, shares_quotes=1.0, shares_tweets=1.0, shares_instagram=1.0, shares_transcript=1.0)


def test_same_seed_same_archive_other_seed_other_archive() -> None:
    first, again = simulate(_stories(), CONFIG), simulate(_stories(), CONFIG)
    assert first.articles == again.articles and first.labels == again.labels
    other = simulate(_stories(), replace(CONFIG, seed=4))
    assert [a.id for a in other.articles] != [a.id for a in first.articles]


def test_labels_are_valid_cover_every_article_and_name_one_kind_per_pair() -> None:
    simulation = simulate(_stories(80), EVERYTHING)
    labels = parse_labels(simulation.labels, "simulated")
    assert labels.ids() == {a.id for a in simulation.articles}
    families = [g for g in simulation.labels["groups"] if "source" in g]
    assert len(families) == 16 and all(len(g["members"]) == 1 + 6 for g in families)
    assert len([p for p in labels.pairs if p.positive]) == 16 * 21  # every pair in a seven-member family
    for pair in labels.pairs:
        kinds = [t for t in pair.tags if t in KINDS]
        assert len(kinds) == 1
        assert kinds[0] in (POSITIVE_KINDS if pair.positive else NEGATIVE_KINDS)
    made = {t for p in labels.pairs for t in p.tags if t in KINDS}
    assert made >= {"copy", "teaser", "teaser-short", "excerpt-20-40", "excerpt-40-60", "paraphrase-light",
                    "paraphrase-moderate", "paraphrase-heavy", "sibling", "shares-quotes", "shares-tweets",
                    "shares-instagram", "shares-transcript"}


def test_copies_carry_what_the_labels_say() -> None:
    simulation = simulate(_stories(), CONFIG)
    by_id = {a.id: a for a in simulation.articles}
    checked = set()
    for facts in simulation.copies:
        wire, copy = by_id[facts["wire"]], by_id[facts["id"]]
        body = "\n".join(copy.paragraphs)
        if facts["subtype"] == "verbatim" and facts["kind"] == "copy":
            assert all(p in copy.paragraphs for p in wire.paragraphs)
            checked.add("verbatim")
        if "trim" in facts["edits"] and facts["kind"] == "copy" and not {"reorder", "drop", "respell", "layout"} \
                & set(facts["edits"]):
            assert wire.paragraphs[-1] not in copy.paragraphs and facts["kept"] < 1
            checked.add("trim")
        if "respell" in facts["edits"]:
            # (the original may still appear in paragraphs the outlet added from other stories)
            wire_text = " ".join(wire.paragraphs)
            assert any(_variant(name) in body and _variant(name) not in wire_text
                       for name in set(re.findall(r"[A-Z][a-z]{4,}", wire_text)))
            checked.add("respell")
        if facts["kind"].startswith("paraphrase-"):
            assert sum(p in copy.paragraphs for p in wire.paragraphs) < len(wire.paragraphs)
            checked.add("paraphrase")
        if "dateline" in facts["edits"]:
            assert f"({copy.outlet}) - " in copy.paragraphs[0] or f"({copy.outlet}) - " in body
            checked.add("dateline")
        assert copy.paragraphs[-1].startswith(("Sign up", "Copyright", "Read more"))  # outlet furniture
        delay = parse_date(copy.date) - parse_date(wire.date)
        assert timedelta(hours=1) <= delay <= timedelta(hours=CONFIG.max_delay_hours)
    assert checked >= {"verbatim", "trim", "respell", "paraphrase", "dateline"}


def test_teasers_flatten_or_cut_the_wire_under_a_restyled_headline() -> None:
    simulation = simulate(_stories(), EVERYTHING)
    by_id = {a.id: a for a in simulation.articles}
    seen = set()
    for facts in simulation.copies:
        wire, page = by_id[facts["wire"]], by_id[facts["id"]]
        if facts["kind"] == "teaser":
            headline, credit, again, more, body = page.paragraphs[:5]
            assert headline == again and credit.endswith("\u2022") and more == "More"
            assert headline.lower().startswith(("story", "update: story")) and headline != wire.title
            sentences = [s for p in wire.paragraphs for s in split_sentences(p)]
            assert body == " ".join(sentences[: facts["sentences"]])  # one paragraph: the wire's first sentences
            assert (facts["subtype"] == "verbatim") == (facts["sentences"] == len(sentences))
            seen.add("teaser")
        elif facts["kind"] == "teaser-short":
            count = round(facts["kept"] * len(wire.paragraphs))
            assert 1 <= count <= 3 and page.paragraphs[1 : 1 + count] == wire.paragraphs[:count]
            seen.add("teaser-short")
    assert seen == {"teaser", "teaser-short"}


def test_excerpts_hold_their_band_of_the_wire_inside_a_longer_local_story() -> None:
    simulation = simulate(_stories(80), replace(EVERYTHING, stories=20))
    by_id = {a.id: a for a in simulation.articles}
    excerpts = [f for f in simulation.copies if f["kind"].startswith("excerpt-")]
    assert len(excerpts) >= 5
    for facts in excerpts:
        low, high = (int(x) / 100 for x in facts["kind"].removeprefix("excerpt-").split("-"))
        assert low <= facts["kept_words"] < high
        wire, page = by_id[facts["wire"]], by_id[facts["id"]]
        wire_words = sum(len(p.split()) for p in wire.paragraphs)
        page_words = sum(len(p.split()) for p in page.paragraphs)
        assert page_words >= 2 * facts["kept_words"] * wire_words  # the local story is longer than the excerpt
        assert page.paragraphs[0] not in wire.paragraphs  # a local lead comes first
        if "paraphrase" not in facts["edits"] and "attribution" not in facts["edits"]:
            kept = [p for p in wire.paragraphs if p in page.paragraphs]
            assert sum(len(p.split()) for p in kept) == pytest.approx(facts["kept_words"] * wire_words, abs=1)


def test_hard_negatives_print_the_wires_quoted_material_in_the_same_order() -> None:
    simulation = simulate(_stories(), EVERYTHING)
    by_id = {a.id: a for a in simulation.articles}
    negatives = [p for p in simulation.labels["pairs"] if p["label"] == "negative"]
    kinds = {p["tags"][0] for p in negatives}
    assert kinds == {"shares-quotes", "shares-tweets", "shares-instagram", "shares-transcript"}
    assert all("hard-negative" in p["tags"] for p in negatives)
    wire_ids = {g["source"] for g in simulation.labels["groups"] if "source" in g}
    for pair in (p for p in negatives if p["a"] in wire_ids):
        wire, report = by_id[pair["a"]], by_id[pair["b"]]
        kind = pair["tags"][0]
        text = "\n".join(report.paragraphs)
        if kind == "shares-tweets":
            lines = [p for p in report.paragraphs if re.search(r"\u2014 [A-Z]\w+ \w+ \(@\w+\) \w+ \d+, \d{4}$", p)]
            assert lines and all(line in wire.paragraphs or any(line.endswith(p) for p in wire.paragraphs)
                                 for line in lines)
        elif kind == "shares-instagram":
            assert any(p.startswith("A post shared by ") and p in wire.paragraphs for p in report.paragraphs)
        elif kind == "shares-transcript":
            turns = [p for p in report.paragraphs if re.match(r"(Q|[A-Z]+): ", p)]
            start = wire.paragraphs.index(turns[0])
            assert len(turns) >= 4 and list(wire.paragraphs[start : start + len(turns)]) == turns
        else:
            in_wire = re.findall(r"\"(We will .+?) soon", "\n".join(wire.paragraphs))
            spans = [s for s in re.findall(r"[\"\u201c\u00ab\u201e](We will .+?) soon", text) if s in in_wire]
            assert len(spans) >= 2 and spans == [s for s in in_wire if s in spans]  # same quotes, same order
            assert not any(f'"{s} soon' in text for s in spans) or report.outlet  # quoted in the outlet's style
        other = report.id.split("~")[0]
        assert other not in wire_ids  # the report is another story, not a copy of the wire


def test_statement_wires_are_mostly_quoted_and_their_copies_are_quote_heavy() -> None:
    quote_free = [Article(id=s.id, paragraphs=tuple(p for p in s.paragraphs if '"' not in p), title=s.title,
                          date=s.date) for s in _stories()]
    simulation = simulate(quote_free, replace(CONFIG, statement=1.0))
    by_id = {a.id: a for a in simulation.articles}
    for group in (g for g in simulation.labels["groups"] if "source" in g):
        assert "statement" in group["tags"] and group["tags"][0] == "quote-heavy"
        wire = by_id[group["source"]]
        quoted = sum(len(p.split()) for p in wire.paragraphs if p.startswith('"') and p.endswith('"'))
        assert quoted >= 0.7 * sum(len(p.split()) for p in wire.paragraphs)


def test_rates_of_zero_make_clean_copies() -> None:
    clean = SimulationConfig(stories=5, copies=3, outlets=4, seed=1, verbatim=0.0, rewritten=0.0, teaser=0.0,
                             excerpt=0.0, trim=0.0, drop=0.0, add=0.0, respell=0.0, caption=0.0, dateline=0.0,
                             reorder=0.0, relayout=0.0, statement=0.0, shares_quotes=0.0, shares_tweets=0.0,
                             shares_instagram=0.0, shares_transcript=0.0, min_paragraphs=6, min_words=100)
    simulation = simulate(_stories(), clean)
    assert all(f["edits"] == [] and f["kept"] == 1.0 and f["kind"] == "copy" for f in simulation.copies)
    assert len(simulation.articles) == 5 * 4


def test_near_duplicate_inputs_are_not_used_as_separate_stories() -> None:
    stories = _stories(10)
    resend = Article(id="resend", paragraphs=stories[0].paragraphs, title="again")
    simulation = simulate([*stories, resend], SimulationConfig(stories=20, copies=1, outlets=2, seed=0,
                                                               min_paragraphs=6, min_words=100))
    assert not ({"resend", "story-000"} <= {a.id for a in simulation.articles})


def test_bad_rates_and_no_stories_are_rejected() -> None:
    with pytest.raises(ValueError, match="trim"):
        SimulationConfig(trim=1.5)
    with pytest.raises(ValueError, match="must not exceed 1"):
        SimulationConfig(verbatim=0.5, teaser=0.6)
    with pytest.raises(ValueError, match="strengths"):
        SimulationConfig(strengths=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="wire-like"):
        simulate([Article(id="short", paragraphs=("one line",))])
    with pytest.raises(ValueError, match="min_words"):
        ShortTextConfig(min_words=400, max_words=300)


def test_short_texts_are_cut_from_their_source_or_from_other_stories() -> None:
    stories = _stories(30)
    simulation = simulate_short(stories, ShortTextConfig(sources=6, independent=2, min_source_words=300, seed=2))
    labels = parse_labels(simulation.labels, "short")
    by_id = {a.id: a for a in simulation.articles}
    assert len(labels.pairs) == 6 * 5 and sum(p.positive for p in labels.pairs) == 6 * 3
    levels = {}
    for facts in simulation.copies:
        text = by_id[facts["id"]]
        assert 100 <= sum(len(p.split()) for p in text.paragraphs) <= 300 + 60  # whole sentences
        story = "\n".join(next(s for s in stories if s.id == facts["from"]).paragraphs).lower()
        unique = set(re.findall(r"\w+\d+x\d+", " ".join(text.paragraphs)))  # the story-specific words
        assert unique and all(word.lower() in story for word in unique)  # every text is cut from the story it names
        if facts["kind"] == "short-independent":
            assert facts["from"] != facts["source"]
            assert facts["from"] not in by_id  # the other story is not in the archive
        else:
            assert facts["from"] == facts["source"]
        levels[facts["kind"]] = levels.get(facts["kind"], 0) + 1
    assert levels == {"short-near": 6, "short-light": 6, "short-heavy": 6, "short-independent": 12}
    assert all(re.fullmatch(r".+~text-\d", t["id"]) for t in simulation.copies)  # ids do not say the kind


def test_cli_simulate_then_eval(tmp_path: Path) -> None:
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps({"id": s.id, "text": "\n".join(s.paragraphs), "date": s.date}) + "\n"
                              for s in _stories(40)))
    out = tmp_path / "sim"
    runner = CliRunner()
    made = runner.invoke(app, ["simulate", "--from", str(source), "--out", str(out), "--stories", "8",
                               "--copies", "3", "--min-paragraphs", "6"])
    assert made.exit_code == 0, made.output
    assert (out / "articles.jsonl").exists() and (out / "labels.json").exists()
    again = runner.invoke(app, ["simulate", "--from", str(source), "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output
    scored = runner.invoke(app, ["eval", str(out / "articles.jsonl"), "--labels", str(out / "labels.json"),
                                 "--format", "json", "--sweep", "none"])
    assert scored.exit_code == 0, scored.output
    data = json.loads(scored.stdout)
    assert data["pairs"]["by_subtype"]["verbatim"]["recall"] in (None, 1.0)
    assert "sibling" in data["kinds"] and data["separation"] is None


def test_cli_simulate_short_then_eval_reports_separation(tmp_path: Path) -> None:
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps({"id": s.id, "text": "\n".join(s.paragraphs)}) + "\n" for s in _stories(20)))
    out = tmp_path / "short"
    runner = CliRunner()
    made = runner.invoke(app, ["simulate", "--mode", "short", "--from", str(source), "--out", str(out),
                               "--stories", "4"])
    assert made.exit_code == 0, made.output
    scored = runner.invoke(app, ["eval", str(out / "articles.jsonl"), "--labels", str(out / "labels.json"),
                                 "--sweep", "none"])
    assert scored.exit_code == 0, scored.output
    assert "ROC AUC" in scored.stdout and "short-independent" in scored.stdout


def test_dates_follow_the_wire() -> None:
    simulation = simulate(_stories(), EVERYTHING)
    by_id = {a.id: a for a in simulation.articles}
    for group in (g for g in simulation.labels["groups"] if "source" in g):
        wire_date = parse_date(by_id[group["source"]].date)
        assert wire_date == parse_date("1987-03-02T10:00:00")
        assert all(parse_date(by_id[m].date) > wire_date for m in group["members"] if m != group["source"])
    assert all(isinstance(parse_date(a.date), datetime) for a in simulation.articles)
