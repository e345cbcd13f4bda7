from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from syndicate.normalise import normalise, paragraph_fingerprint, words

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
word = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)


def test_typography_case_and_spacing_are_folded() -> None:
    assert normalise("  “Real  VICTORY”\u00a0— Hezbollah’s\tleader ") == "\"real victory\" - hezbollah's leader"
    assert normalise("ﬁnal") == "final"  # NFKC: ligature


def test_words_drop_punctuation_and_keep_apostrophes_inside_words() -> None:
    assert words("Lebanon’s Hezbollah -- (AFP) said: 1,400 killed.") == ["lebanon's", "hezbollah", "afp", "said",
                                                                         "1", "400", "killed"]


@given(text)
def test_normalise_is_idempotent(value: str) -> None:
    once = normalise(value)
    assert normalise(once) == once


@given(st.lists(word, min_size=1, max_size=20), st.lists(st.sampled_from([" ", "\n", "\t", "  ", "\r\n"]),
                                                         min_size=19, max_size=19))
def test_words_ignore_how_words_are_separated(tokens: list[str], separators: list[str]) -> None:
    joined = tokens[0] + "".join(sep + tok for sep, tok in zip(separators, tokens[1:], strict=False))
    assert words(joined) == words(" ".join(tokens))


# Letters whose case mapping round-trips. Turkish dotless ı does not: "ı".upper() is "I", which folds
# to "i", so no case-insensitive comparison can keep them apart.
round_trip_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(
        lambda c: c.upper().casefold() == c.casefold() == c.lower().casefold()),
    max_size=200)


@given(round_trip_text)
def test_words_are_case_insensitive(value: str) -> None:
    assert words(value.upper()) == words(value.lower()) == words(value)


def test_case_folding_handles_more_than_ascii() -> None:
    assert words("STRASSE Straße ΣΊΣΥΦΟΣ") == ["strasse", "strasse", "σίσυφοσ"]


def test_fingerprint_ignores_numbers_case_and_punctuation_but_not_words() -> None:
    assert paragraph_fingerprint("Updated 7:54 AM, July 15") == paragraph_fingerprint("updated 10:02 am july 16")
    assert paragraph_fingerprint("Share this story") != paragraph_fingerprint("Share this article")
