"""The simulator's edits happen at the rates asked, deterministically, and its labels match what it built."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syndicate import Article
from syndicate.cli import app
from syndicate.evaluate import parse_labels
from syndicate.simulate import SimulationConfig, _paraphrase_sentence, _variant, simulate

_WORDS = ("market", "trade", "bank", "oil", "price", "output", "quarter", "board", "shares", "group", "plan", "deal",
          "talks", "rate", "growth", "export", "import", "budget", "loss", "profit", "debt", "bond", "yield")
_NAMES = ("Brennan", "Okafor", "Lindqvist", "Moretti", "Delacroix", "Tanaka", "Hollister", "Vasquez")


def _stories(count: int = 40, seed: int = 7) -> list[Article]:
    """Synthetic wire stories: distinct vocabulary per story so that they never overlap by chance."""
    rnd = random.Random(seed)
    stories = []
    for number in range(count):
        paragraphs = []
        for p in range(rnd.randint(6, 9)):
            name = rnd.choice(_NAMES)
            unique = [f"{rnd.choice(_WORDS)}{number}x{p}{i}" for i in range(18)]
            words = " ".join(unique[:14])
            # Every 5-word window holds a story-specific word, so stories never share a shingle by chance.
            paragraphs.append(f"The {unique[14]} said that {words} would rise. {unique[15]} {unique[16]} from {name} "
                              f"agreed on {unique[17]}.")
        stories.append(Article(id=f"story-{number:03d}", paragraphs=tuple(paragraphs), title=f"Story {number}",
                               date="1987-03-02T10:00:00"))
    return stories


CONFIG = SimulationConfig(stories=12, copies=4, outlets=6, seed=3, min_paragraphs=6, min_words=100)


def test_same_seed_same_archive_other_seed_other_archive() -> None:
    first, again = simulate(_stories(), CONFIG), simulate(_stories(), CONFIG)
    assert first.articles == again.articles and first.labels == again.labels
    other = simulate(_stories(), SimulationConfig(**{**CONFIG.__dict__, "seed": 4}))
    assert [a.id for a in other.articles] != [a.id for a in first.articles]


def test_labels_are_valid_and_cover_every_article() -> None:
    simulation = simulate(_stories(), CONFIG)
    labels = parse_labels(simulation.labels, "simulated")
    assert labels.ids() == {a.id for a in simulation.articles}
    families = [g for g in simulation.labels["groups"] if len(g["members"]) > 1]
    assert len(families) == 12 and all(len(g["members"]) == 1 + 4 for g in families)
    positives = [p for p in labels.pairs if p.positive]
    assert len(positives) == 12 * 10  # every pair in a five-member family


def test_copies_carry_what_the_labels_say() -> None:
    simulation = simulate(_stories(), CONFIG)
    by_id = {a.id: a for a in simulation.articles}
    checked = set()
    for facts in simulation.copies:
        wire, copy = by_id[facts["wire"]], by_id[facts["id"]]
        body = "\n".join(copy.paragraphs)
        if facts["subtype"] == "verbatim":
            assert all(p in copy.paragraphs for p in wire.paragraphs)
            checked.add("verbatim")
        if "trim" in facts["edits"] and not {"reorder", "drop", "respell", "paraphrase"} & set(facts["edits"]):
            assert wire.paragraphs[-1] not in copy.paragraphs and facts["kept"] < 1
            checked.add("trim")
        if "respell" in facts["edits"]:
            # (the original may still appear in paragraphs the outlet added from other stories)
            assert any(name in " ".join(wire.paragraphs) and _variant(name) in body for name in _NAMES)
            checked.add("respell")
        if "paraphrase" in facts["edits"]:
            assert sum(p in copy.paragraphs for p in wire.paragraphs) < len(wire.paragraphs) / 2
            checked.add("paraphrase")
        if "dateline" in facts["edits"]:
            assert f"({copy.outlet}) - " in copy.paragraphs[0] or f"({copy.outlet}) - " in body
            checked.add("dateline")
        assert copy.paragraphs[-1].startswith(("Sign up", "Copyright", "Read more"))  # outlet furniture
    assert checked >= {"verbatim", "trim", "respell", "paraphrase", "dateline"}


def test_hard_negatives_quote_the_wire_but_are_labelled_negative() -> None:
    simulation = simulate(_stories(), SimulationConfig(**{**CONFIG.__dict__, "hard_negatives": 1.0}))
    by_id = {a.id: a for a in simulation.articles}
    negatives = [p for p in simulation.labels["pairs"] if "hard-negative" in p["tags"]]
    assert negatives and all(p["label"] == "negative" for p in negatives)
    wire_pairs = [p for p in negatives if "~" not in p["a"]]
    for pair in wire_pairs:
        wire_sentences = {s for p in by_id[pair["a"]].paragraphs for s in p.split(". ")}
        negative_text = " ".join(by_id[pair["b"]].paragraphs)
        assert any(s[1:] in negative_text for s in wire_sentences if len(s.split()) >= 8)


def test_rates_of_zero_make_clean_copies() -> None:
    clean = SimulationConfig(stories=5, copies=3, outlets=4, seed=1, verbatim=0.0, rewritten=0.0, trim=0.0,
                             drop=0.0, add=0.0, respell=0.0, caption=0.0, dateline=0.0, reorder=0.0,
                             hard_negatives=0.0, min_paragraphs=6, min_words=100)
    simulation = simulate(_stories(), clean)
    assert all(f["edits"] == [] and f["kept"] == 1.0 for f in simulation.copies)
    assert len(simulation.articles) == 5 * 4


def test_near_duplicate_inputs_are_not_used_as_separate_stories() -> None:
    stories = _stories(10)
    resend = Article(id="resend", paragraphs=stories[0].paragraphs, title="again")
    simulation = simulate([*stories, resend], SimulationConfig(stories=20, copies=1, outlets=2, seed=0,
                                                               min_paragraphs=6, min_words=100))
    assert not ({"resend", "story-000"} <= {a.id for a in simulation.articles})


def test_paraphrase_swaps_clauses_and_words() -> None:
    assert _paraphrase_sentence("The company said profit would rise sharply next year.") == \
        "Earnings will rise sharply next twelve months, the firm stated."


def test_bad_rates_and_no_stories_are_rejected() -> None:
    with pytest.raises(ValueError, match="trim"):
        SimulationConfig(trim=1.5)
    with pytest.raises(ValueError, match="wire-like"):
        simulate([Article(id="short", paragraphs=("one line",))])


def test_cli_simulate_then_eval(tmp_path: Path) -> None:
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps({"id": s.id, "text": "\n".join(s.paragraphs), "date": s.date}) + "\n"
                              for s in _stories(20)))
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
    assert json.loads(scored.stdout)["pairs"]["by_subtype"]["verbatim"]["recall"] in (None, 1.0)
