"""Sentences, quoted material and the batch path that must equal the one-article reference."""

from __future__ import annotations

import re

import numpy as np
import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.normalise import paragraph_fingerprint, words
from syndicate.units import (
    _NOT_AFTER,
    LINE_START,
    POST_LINK,
    SENTENCE_END,
    SENTENCE_MARK,
    article_sentences,
    line_starts,
    mark_single_quotes,
    mark_units,
    post_links,
    quoted_material,
    split_sentences,
    unit_sketch,
    units_batch,
)


def _texts(paragraph: str) -> list[str]:
    return [paragraph[start:end] for start, end in split_sentences(paragraph)]


def test_sentences_end_at_terminal_punctuation_but_not_at_abbreviations() -> None:
    text = 'Mr. Putin met Gen. Jones in the U.S. capital. He said "yes." Then J. Doe left! Did he? 5 people came.'
    assert _texts(text) == ["Mr. Putin met Gen. Jones in the U.S. capital.", 'He said "yes."', "Then J. Doe left!",
                            "Did he?", "5 people came."]


def test_a_lower_case_continuation_does_not_end_a_sentence() -> None:
    assert _texts("The talks ended at 5 p.m. and nothing followed.") == [
        "The talks ended at 5 p.m. and nothing followed."]


def test_chinese_and_japanese_sentences_end_at_full_width_stops() -> None:
    assert _texts("东京今天晴。明天下雨！") == ["东京今天晴。", "明天下雨！"]


def _flags(paragraphs: list[str]) -> list[str]:
    """Each sentence's words, upper case where quoted."""
    return [" ".join(w.upper() if q else w for w, q in zip(s.words, s.quoted, strict=True))
            for s in article_sentences(paragraphs)]


def test_quotation_marks_of_every_style_quote_their_words() -> None:
    assert _flags(['He said "we will win" today.']) == ["he said WE WILL WIN today"]
    assert _flags(["Il a dit « nous gagnerons » hier."]) == ["il a dit NOUS GAGNERONS hier"]
    assert _flags(["Er sagte „wir gewinnen“ gestern."]) == ["er sagte WIR GEWINNEN gestern"]
    assert _flags(["Hezbollah agrees to 'keep coordinating' with Hamas"]) == [
        "hezbollah agrees to KEEP COORDINATING with hamas"]


def test_apostrophes_are_not_quotes_and_an_open_quote_runs_to_the_paragraph_end() -> None:
    assert _flags(["Hamas' leader and Israel's army met."]) == ["hamas leader and israel's army met"]
    assert _flags(['"We will go on.', "He left."]) == ["WE WILL GO ON", "he left"]


def test_embedded_posts_and_their_credit_lines_are_quoted_material() -> None:
    paragraphs = ["The summit ended.", "Trump wrote on Twitter:", "Our relationship with Russia has NEVER been worse!",
                  "— Donald J. Trump (@realDonaldTrump) July 16, 2018", "Critics replied at once.", "He added:",
                  "It went well."]
    assert _quoted_paragraphs(paragraphs) == [False, True, True, True, False, False, False]
    assert _quoted_paragraphs(["A photo pic.twitter.com/AbC123 of the car", "Text"]) == [True, False]
    assert _quoted_paragraphs(["Caption of the fight", "A post shared by Conor (@mma) on Jul 15"]) == [True, True]


def test_a_post_inside_a_long_paragraph_quotes_its_sentence_only() -> None:
    """An aggregator flattens the body into one paragraph, embedded tweet included: the rest stays evidence."""
    body = ("Canada may begin monitoring steel flowing in and out of the country. The officials spoke on Monday. "
            "In a tweet, the minister said more must be done pic.twitter.com/MYJUoO3Aya — Jane Doe (@jdoe) "
            "March 25, 1987. Shipments have risen to 5.7 pct of the market. Lawmakers want a limit.")
    assert _flags([body]) == ["canada may begin monitoring steel flowing in and out of the country",
                              "the officials spoke on monday",
                              "IN A TWEET THE MINISTER SAID MORE MUST BE DONE PIC TWITTER COM MYJUOO3AYA JANE DOE "
                              "JDOE MARCH 25 1987", "shipments have risen to 5 7 pct of the market",
                              "lawmakers want a limit"]


def _quoted_paragraphs(paragraphs: list[str]) -> list[bool]:
    """Per paragraph: wholly quoted material."""
    return [bool(runs) and runs[0][0] == 0 and runs[0][1] == len(words(p))
            for p, runs in zip(paragraphs, quoted_material(paragraphs), strict=True)]


def test_photo_captions_are_quoted_material_whole() -> None:
    paragraphs = ["FILE - In this Nov. 11, 2017 file photo, Trump and Putin talk. The outcome is anybody's guess.",
                  "Fighters stand guard on a roof in Beirut (Hussein Malla/AP)",
                  "Supporters attend a speech in Beirut. [Anwar Amro/AFP]",
                  "People gather in Helsinki.", "KIMMO BRANDT, EPA-EFE", "Body text of the story, unquoted."]
    assert _quoted_paragraphs(paragraphs) == [True, True, True, True, True, False]


def test_a_dialogue_is_quoted_after_its_speakers_labels_and_one_dateline_is_not() -> None:
    dialogue = ["TRUMP: We had a great meeting.", "Q: Did you raise the election?", "TRUMP: I did, strongly.",
                "The exchange lasted an hour."]
    assert _flags(dialogue) == ["trump WE HAD A GREAT MEETING", "q DID YOU RAISE THE ELECTION",
                                "trump I DID STRONGLY", "the exchange lasted an hour"]
    assert quoted_material(["HELSINKI: Trump arrived on Sunday.", "He met Putin."]) == [[], []]


def test_a_transcript_with_labels_on_lines_of_their_own_quotes_the_lines_below_them() -> None:
    transcript = ["Meet the Press", "ROD ROSENSTEIN:", "The indictment charges twelve officers.", "CHUCK TODD:",
                  "The president is unconvinced.", "SENATOR MARK WARNER:Well, Chuck, I would feel better.",
                  "CHUCK TODD: Thank you."]
    assert _flags(transcript) == ["meet the press", "rod rosenstein", "THE INDICTMENT CHARGES TWELVE OFFICERS",
                                  "chuck todd", "THE PRESIDENT IS UNCONVINCED",
                                  "senator mark warner WELL CHUCK I WOULD FEEL BETTER", "chuck todd THANK YOU"]


def test_cjk_characters_are_words_so_short_chinese_text_has_shingles() -> None:
    sketch = unit_sketch(["中国外交部发言人今天表示，双方会谈富有成果。"])
    assert sketch.words[0] >= 18 and len(sketch.shingles) >= 14


def test_furniture_paragraphs_stay_numbered_but_carry_no_evidence() -> None:
    sketch = unit_sketch(["Sign up for our newsletter today now.", "Real text of the story goes here now."],
                         furniture=[True, False])
    assert sketch.active.tolist() == [False, True]
    assert set(sketch.shingle_owner.tolist()) == {0, 1}


_FRAGMENTS = st.sampled_from([
    "Mr.", "Gen.", "U.S.", "J.", "the", "talks", "Putin", "said", "5", "1,400", "it's", "o'neil", "Hamas'", ".", "!",
    "?", "...", ",", '"', "“", "”", "«", "»", "'", "‘", "’", "(AP)", "(Hussein Malla/AP)", "[Anwar Amro/AFP]",
    "pic.twitter.com/x1", "— Jane Doe (@jane) July 1, 2018", "FILE - In this photo,", "TRUMP:", "Q:",
    "A post shared by", "KIMMO BRANDT, EPA-EFE", "东京", "今天。", "Ünïcode", "ﬁne", "\x00", "\x01", "\x02", "\t",
    "Zürich", "Über", "-",
])
_PARAGRAPH = st.lists(_FRAGMENTS, min_size=1, max_size=25).map(" ".join).filter(str.strip)
_ARTICLE = st.lists(_PARAGRAPH, min_size=1, max_size=6)
_ASCII_ARTICLE = st.lists(st.lists(_FRAGMENTS.filter(str.isascii), min_size=1, max_size=25).map(" ".join).filter(
    str.strip), min_size=1, max_size=6)
"""Most news is ASCII, which the batch path reads through a byte table instead of the regex."""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_ARTICLE, _ASCII_ARTICLE), min_size=1, max_size=5))
def test_the_batch_path_equals_the_reference_article_by_article(articles: list[list[str]]) -> None:
    batch = units_batch(articles)
    assert batch.fingerprints.tolist() == [paragraph_fingerprint(p) for paragraphs in articles for p in paragraphs]
    for number, paragraphs in enumerate(articles):
        reference = unit_sketch(paragraphs)
        first, last = batch.sentence_offsets[number : number + 2]
        assert batch.sentence_words[first:last].tolist() == reference.words.tolist()
        assert batch.sentence_quoted[first:last].tolist() == reference.quoted.tolist()
        assert batch.sentence_keys[first:last].tolist() == reference.sentence_keys.tolist()
        assert (batch.sentence_paragraph[first:last] - batch.paragraph_offsets[number]).tolist() == (
            reference.paragraph.tolist())
        shingles = batch.shingles[batch.shingle_offsets[first] : batch.shingle_offsets[last]]
        assert np.array_equal(np.unique(shingles), reference.shingles)
        terms = batch.terms[batch.term_offsets[first] : batch.term_offsets[last]]
        owners = np.repeat(np.arange(last - first), np.diff(batch.term_offsets[first : last + 1]))
        assert sorted(zip(terms.tolist(), owners.tolist(), strict=True)) == list(zip(
            reference.term_values[reference.term_index].tolist(), reference.term_owner.tolist(), strict=True))


_PLAIN_SENTENCE_END = re.compile(
    rf"""(?:\.(?<!\b[A-Za-z]\.){_NOT_AFTER}|[!?…])[.!?…]*["'”’»)\]\x02]*(?=\s+[\x02"“‘'«(\[]?[A-Z0-9])"""
    r"|[。！？]+[」』”’)\x02]*")
"""SENTENCE_END as it reads most plainly (a full stop not after an abbreviation, or ! ? …; or CJK stops): the
faster form opening with one character class must mark the same places."""
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.sampled_from([
    "pic.twitter.com/AbC", "PIC.Twitter.COM/9", "pIc.twitter.com/", "/x", "a/b", "  ", "\n", "Mr. Smith", "“Yes.”",
    "e.g. Q: no", "A: yes", "TRUMP: We", "\nTRUMP: I", "\n  \nQ: hi", "\nROD ROSENSTEIN:\n", "\nMARK WARNER:Well",
    "TODD:  \n", "FILE - In this", "\n— Jane (@j)", "。", "！"])),
    max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_sentence_end_marks_what_the_plain_pattern_marks(text: str) -> None:
    assert SENTENCE_END.sub(f"\\g<0>{SENTENCE_MARK}", text) == _PLAIN_SENTENCE_END.sub(f"\\g<0>{SENTENCE_MARK}", text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_post_links_and_line_starts_find_what_finditer_finds(text: str) -> None:
    assert list(post_links(text)) == [match.start() for match in POST_LINK.finditer(text)]
    starts = [0, *(match.end() for match in re.finditer("\n", text))]
    found = [(starts[index], match.span()) for index, match in line_starts(text, starts, [len(text)] * len(starts))]
    assert found == [(match.start(), match.span()) for match in LINE_START.finditer(text)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 80), min_size=1, max_size=20), st.sampled_from([0, 0, 0, 7])),
                min_size=1, max_size=30))
def test_the_term_memo_gives_each_word_its_term_across_merges_and_resets(calls: list[tuple[set[int], int]]) -> None:
    """The memo of terms (recent words in a dict, merged into sorted arrays now and then, all forgotten when full or
    when the seed changes) answers what syndicate.terms says of every word, whatever the words of earlier calls."""
    from syndicate import units
    from syndicate.terms import token_terms

    vocabulary = [word.encode() for word in ("the", "a", "5", "1,400", "said", "talks", "putin", "it's")] + [
        f"word{number}".encode() for number in range(73)]
    memo = units._TermMemo()
    saved = units.MEMO_MERGE_WORDS, units.TERM_MEMO_WORDS
    units.MEMO_MERGE_WORDS, units.TERM_MEMO_WORDS = 3, 50
    try:
        for numbers, seed in calls:
            spelled = sorted((xxhash.xxh3_64_intdigest(vocabulary[n], seed), vocabulary[n]) for n in numbers)
            hashes = np.array([value for value, _ in spelled], dtype=np.uint64)
            terms = memo.of(hashes, lambda positions, spelled=spelled: (spelled[k][1] for k in positions.tolist()),
                            seed)
            assert terms.dtype == np.uint64
            assert terms.tolist() == token_terms(word for _, word in spelled)
            assert len(memo._hashes) + len(memo._recent) <= units.TERM_MEMO_WORDS
    finally:
        units.MEMO_MERGE_WORDS, units.TERM_MEMO_WORDS = saved


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_mark_units_inserts_a_sentence_mark_after_every_sentence_end(text: str) -> None:
    assert mark_units(text) == SENTENCE_END.sub(f"\\g<0>{SENTENCE_MARK}", mark_single_quotes(text))


def _same_batches(one: object, other: object) -> bool:
    """Every array of two UnitBatches equal, dtypes included."""
    return all(getattr(one, name).dtype == getattr(other, name).dtype
               and np.array_equal(getattr(one, name), getattr(other, name)) for name in one.__dataclass_fields__)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_ARTICLE, _ASCII_ARTICLE, st.lists(st.sampled_from(["", " ", "Word", "word.", '"']),
                                                             min_size=1, max_size=4)), min_size=1, max_size=5))
def test_marks_counted_by_sorted_search_or_by_cumulative_sum_give_one_batch(articles: list[list[str]]) -> None:
    """units_batch counts the marks before each word by sorted search in a small batch (one checked article) and by
    a cumulative sum in a large one: the two ways give the same arrays."""
    from syndicate import units

    saved = units.SEARCH_TOKENS
    try:
        units.SEARCH_TOKENS = 0
        summed = units_batch(articles)
        units.SEARCH_TOKENS = 1 << 62
        searched = units_batch(articles)
    finally:
        units.SEARCH_TOKENS = saved
    assert _same_batches(summed, searched)


_QUOTED_TEXT = st.lists(st.one_of(_FRAGMENTS, st.sampled_from(["'", "‘", "’", "'a", "a'", "'keep it'", "‘so’", "''x''",
                                                              "‘‘y’’", "rock 'n' roll", "Hamas'", "x'"])),
                        max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _QUOTED_TEXT))
def test_matches_found_from_their_first_characters_are_finditers_matches(text: str) -> None:
    """SENTENCE_END and SINGLE_QUOTED are matched only where their first characters stand: the same matches."""
    from syndicate.units import _SENTENCE_STARTS, SINGLE_QUOTED, _single_marks, matches_from

    for pattern, starts in ((SENTENCE_END, _SENTENCE_STARTS), (SINGLE_QUOTED, "'‘")):
        assert [m.span() for m in matches_from(pattern, text, starts)] == [m.span() for m in pattern.finditer(text)]
    doubled = re.sub("‘‘|’’|''", '" ', text)
    assert mark_single_quotes(text) == SINGLE_QUOTED.sub(_single_marks, doubled)
