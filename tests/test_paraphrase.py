"""Graded paraphrase: each operation rewrites what it should, strengths are ordered, a seed fixes the result."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from syndicate.paraphrase import (
    Context,
    move_attribution,
    move_clause,
    paraphrase_paragraphs,
    restructure,
    restyle_numbers,
)
from syndicate.shingle import shingle_paragraphs

STORY = (
    "The company said it would raise its dividend because profits rose sharply in the first quarter.",
    "Sales increased 12 pct to 45 mln dlrs, the company said in a statement on Monday.",
    "Analysts had expected a smaller rise, and they said the outlook for the year remained strong.",
    "\"We are very pleased with these results,\" chairman John Harper said.",
    "The board also approved a plan to buy back up to two mln shares over the next year.",
    "The shares were bought by a group of foreign investors, officials said.",
)
MONDAY = datetime(1987, 3, 4)  # a Wednesday: 'Monday' is March 2


def _context() -> Context:
    return Context.of(STORY, MONDAY)


def test_attribution_moves_both_ways() -> None:
    rng = random.Random(0)
    moved = move_attribution("Sales increased 12 pct to 45 mln dlrs, the company said.", rng, _context())
    assert moved.startswith("The company said") and moved.endswith("45 mln dlrs.")
    front = {move_attribution("The company said profits would rise sharply next year.", random.Random(s), _context())
             for s in range(8)}
    assert "Profits would rise sharply next year, the company said." in front
    quoted = {move_attribution('"We are very pleased with these results," chairman John Harper said.',
                               random.Random(s), _context()) for s in range(8)}
    assert 'Chairman John Harper said: "We are very pleased with these results."' in quoted
    assert "Chairman John Harper said they were very pleased with these results." in quoted  # reported speech


def test_clauses_move_and_lower_case_only_common_words() -> None:
    assert move_clause("Profits rose sharply this year because sales of new cars increased.", _context()) == \
        "Because sales of new cars increased, profits rose sharply this year."
    assert move_clause("After the board met on Monday, the company raised its dividend.", _context()) == \
        "The company raised its dividend after the board met on Monday."


def test_numbers_and_dates_are_restyled_with_the_story_date() -> None:
    rng = random.Random(1)
    styled = restyle_numbers("Sales rose 12 pct to 45 mln dlrs on Monday and will rise two pct this year.", 1.0,
                             rng, _context())
    assert ("45 million" in styled and "$45 million" in styled) or "45 million dollars" in styled
    assert ("on March 2" in styled or "on 2 March" in styled) and "Monday" not in styled
    assert "in 1987" in styled and "rise 2 " in styled and "pct" not in styled
    assert restyle_numbers("Sales rose 12 pct.", 0.0, rng, _context()) == "Sales rose 12 pct."


def test_grammar_rewrites_voice_tense_and_time_phrases() -> None:
    rng = random.Random(2)
    assert restructure("The shares were bought by a group of foreign investors.", 1.0, rng, _context()) == \
        "A group of foreign investors bought the shares."
    assert restructure("The company has raised its dividend.", 1.0, rng, _context()).startswith(
        "The company raised its dividend")
    assert restructure("The company would have raised its dividend.", 1.0, rng, _context()).startswith(
        "The company would have raised")  # no tense change after a modal


def _share(source: tuple[str, ...], paraphrased: list[str]) -> float:
    a = set(shingle_paragraphs(source).values.tolist())
    b = set(shingle_paragraphs(paraphrased).values.tolist())
    return len(a & b) / len(b)


def test_strengths_are_ordered_deterministic_and_keep_the_layout() -> None:
    shares = {}
    for strength in ("light", "moderate", "heavy"):
        out = paraphrase_paragraphs(STORY, strength, random.Random(5), _context())
        assert out == paraphrase_paragraphs(STORY, strength, random.Random(5), _context())
        assert len(out) == len(STORY)
        assert all((p.strip() and p[0].isupper()) or p[0] == '"' for p in out)
        shares[strength] = sum(_share(STORY, paraphrase_paragraphs(STORY, strength, random.Random(s), _context()))
                               for s in range(10)) / 10
    assert shares["light"] > shares["moderate"] > shares["heavy"]
    assert shares["heavy"] < 0.6


def test_no_marker_tokens_and_articles_agree() -> None:
    out = " ".join(" ".join(paraphrase_paragraphs(STORY, "heavy", random.Random(s), _context())) for s in range(20))
    assert " a increase" not in out and " a earnings" not in out and " an rise" not in out
    assert "paraphrase" not in out.lower()


def test_unknown_strength_is_rejected() -> None:
    with pytest.raises(ValueError, match="strength"):
        paraphrase_paragraphs(STORY, "extreme", random.Random(0))
