"""Text normalisation: the one place that decides which differences between copies do not count.

Wire copies differ in typography (curly vs straight quotes, em dash vs "--"), case and
spacing long before they differ in wording; folding those here keeps every later stage
(shingles, fingerprints, word diffs) comparing words, not glyphs.
"""

from __future__ import annotations

import re
import unicodedata

import xxhash

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2039": '"', "\u203a": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Hiragana, katakana and CJK ideographs: scripts written without spaces, where each character counts as a word
(so that a Chinese or Japanese sentence has shingles: character 5-grams)."""
_WORD = re.compile(f"[{CJK}]|[^\\W_{CJK}]+(?:'[^\\W_{CJK}]+)*")
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """NFKC, case-fold, fold quotes and dashes, collapse whitespace. Idempotent."""
    text = unicodedata.normalize("NFKC", text)
    text = unicodedata.normalize("NFKC", text.casefold())
    text = text.translate(_TYPOGRAPHY)
    return _WHITESPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The normalised words of a text; punctuation separates words and is dropped."""
    return _WORD.findall(normalise(text))


def paragraph_fingerprint(text: str) -> int:
    """A 64-bit identity for a paragraph that ignores case, punctuation and numbers.

    Page furniture repeats with changing numbers ("Updated 7:54 AM", "3 comments"), so
    digits are folded before hashing; used to spot paragraphs that recur across articles.
    """
    return xxhash.xxh3_64_intdigest(" ".join(_DIGITS.sub("0", w) for w in words(text)).encode())
