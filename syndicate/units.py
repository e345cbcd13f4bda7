"""Text units that do not depend on layout: sentences inside their paragraphs, and what in them is quoted.

An outlet may flatten a wire story into one paragraph (an aggregator's teaser), split a long
paragraph or merge two, add captions between them. Sentences survive all of that, so they are
the unit alignment works on; a paragraph break always ends a sentence, and paragraphs are kept
only to show the text as the outlet laid it out.

Quoted material is marked word by word, because independent reports of one event print the same
tweets, statements, transcript lines and photo captions, and what they share of those is not
evidence that one copied the other:

* quoted speech: between double quotation marks (straight or typographic, « », „ “, ‹ ›; a quote
  left open runs to the end of its paragraph, as a news quote continued in the next paragraph
  does), and between single quotes where they pair up around words, as British headlines use them;
* embedded posts: a tweet's text and its credit line ("— Name (@handle) July 16, 2018"), a
  paragraph with a pic.twitter.com link, an Instagram caption ("A post shared by Name (@handle)"):
  the paragraph, or in a long paragraph (a body flattened into one) the sentence holding it; and the
  short line ending in a colon that introduces one ("Trump wrote on Twitter:");
* interview transcripts: paragraphs that open with a speaker's label ("TRUMP:", "Q:") when the
  article holds a dialogue of them (several such paragraphs, some label repeated, two labels or
  more: one "HELSINKI:" dateline is not a transcript), after the label;
* photo captions: a paragraph that opens as agency captions do ("FILE - In this 2017 file photo"),
  ends in a photo credit ("(Evan Vucci/AP)", "[Anwar Amro/AFP]", "(AP Photo/Evan Vucci)"), or
  stands just above a credit line of its own ("KIMMO BRANDT, EPA-EFE"), again the sentence holding it
  in a long paragraph. A photo agency's caption runs under every story that uses the photo, whoever
  wrote the story.

This module works on one article's text and is the reference definition; the batch path in
:mod:`syndicate.shingle` makes the same decisions with the same patterns (tests compare them).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, groupby

import numpy as np
import xxhash

from .normalise import _WORD, normalise, words
from .passages import UnitSketch
from .shingle import (
    ASCII_UNIT_TOKENS,
    MARK,
    WORD_MULTIPLIER,
    ascii_mapped,
    fingerprints_of_text,
    fmix64,
    hash_tokens,
    hash_words,
    ngram_hashes,
    sort_within_owner,
)
from .sorting import sort_with_order
from .terms import first_of_runs, sorted_terms, token_terms

# --- sentences -------------------------------------------------------------------------------------

ABBREVIATIONS = tuple("""
mr mrs ms dr st jr sr gen sen rep gov lt col capt cpl sgt maj adm prof rev hon pres inc corp co ltd jan feb mar
apr jun jul aug sep sept oct nov dec no nos vs etc fig al est dept univ ave blvd mt ft
""".split())  # noqa: SIM905 (a word list reads better as text)
"""Words that end in a full stop without ending a sentence ("Mr. Putin", "Jan. 5"); so do single letters
("J. Smith", "U.S. forces")."""

_NOT_AFTER = "".join(rf"(?<!\b(?i:{'|'.join(w for w in ABBREVIATIONS if len(w) == size)})\.)"
                     for size in sorted({len(w) for w in ABBREVIATIONS}))
"""One lookbehind per abbreviation length (a lookbehind's alternatives must all have one width)."""
SENTENCE_END = re.compile(
    rf"""[.!?…。！？](?:(?<=[.!?…])(?=[\s.!?…"'”’»)\]\x02])(?<!\b[A-Za-z]\.){_NOT_AFTER}[.!?…]*["'”’»)\]\x02]*"""
    r"""(?=\s+[\x02"“‘'«(\[]?[A-Z0-9])"""
    r"|(?<=[。！？])[。！？]*[」』”’)\x02]*)")
"""Where a sentence ends inside a paragraph: terminal punctuation (and closing quotes or brackets) followed by
a capital, a digit or an opening quote, a full stop not closing an abbreviation or a single letter; or Chinese
and Japanese full stops. Written to open with one character class (the lookbehinds of a full stop cannot match
after ! ? or …), so that the regex engine skips straight to the candidate characters: three times faster on
Reuters than the same pattern opening with an alternation. The lookahead for what may follow a sentence end comes
before the abbreviations' lookbehinds: most full stops (decimal points, "U.S.") then fail on it, without trying
those (RESULTS §31)."""


SENTENCE_MARK = "\x01"
SINGLE_QUOTE_MARK = "\x02"
"""Marks the tokeniser keeps as tokens: the end of a sentence, and a single quote that pairs up (see below)."""


def mark_units(text: str) -> str:
    """The text with its paired single quotes replaced by SINGLE_QUOTE_MARK and SENTENCE_MARK after every
    sentence end. `text` is one paragraph or many joined by NUL: the patterns never match across NUL."""
    text = mark_single_quotes(text)
    # SENTENCE_END.sub(r"\g<0>" + SENTENCE_MARK, text), without the per-match template expansion of Python's re.
    ends = [match.end() for match in matches_from(SENTENCE_END, text, _SENTENCE_STARTS)]
    if not ends:
        return text
    return SENTENCE_MARK.join([text[start:end] for start, end in zip([0, *ends], [*ends, len(text)], strict=True)])


_SENTENCE_STARTS = ".!?…。！？"
"""The characters SENTENCE_END's matches start with (its first element is a class of them)."""


def matches_from(pattern: re.Pattern[str], text: str, starts: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match is non-empty and starts with one of the characters
    `starts`: tried only where those stand (found by ``str.find``), each from where the last match ended. The regex
    engine's own scan tests every character of the text against the pattern's first class, several times slower
    (SENTENCE_END on a Reuters story: 29 -> 11 us)."""
    candidates = []
    for char in starts:
        at = text.find(char)
        while at >= 0:
            candidates.append(at)
            at = text.find(char, at + 1)
    candidates.sort()
    matched_to = 0
    for at in candidates:
        if at >= matched_to:
            match = pattern.match(text, at)
            if match:
                matched_to = match.end()
                yield match


_CONTROL = str.maketrans("\x00\x01\x02", "   ")


def neutral(text: str) -> str:
    """The text with the characters the tokeniser uses as marks turned into spaces (same length)."""
    return text.translate(_CONTROL) if "\x00" in text or "\x01" in text or "\x02" in text else text


_DOUBLED = re.compile("‘‘|’’|''")
"""Two single quotes used as one double quote (''nothing bad'', a house style)."""


def mark_single_quotes(text: str) -> str:
    """Doubled single quotes made a double quote, paired single quotes replaced by SINGLE_QUOTE_MARK (both keep the
    text's length: offsets are unchanged)."""
    if "''" in text or "‘‘" in text or "’’" in text:
        text = _DOUBLED.sub('" ', text)
    # SINGLE_QUOTED.sub(_single_marks, text), its matches found from their opening quotes (see matches_from).
    pieces = []
    done = 0
    for match in matches_from(SINGLE_QUOTED, text, "'‘"):
        start, end = match.span()
        pieces += (text[done:start], SINGLE_QUOTE_MARK, text[start + 1 : end - 1], SINGLE_QUOTE_MARK)
        done = end
    return "".join([*pieces, text[done:]]) if pieces else text


def _single_marks(match: re.Match[str]) -> str:
    return f"{SINGLE_QUOTE_MARK}{match.group()[1:-1]}{SINGLE_QUOTE_MARK}"


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph (surrounding whitespace left out)."""
    return [span for _, span in _segments(paragraph) if span[0] < span[1]]


def _segments(paragraph: str) -> list[tuple[str, tuple[int, int]]]:
    """The paragraph cut at its sentence ends: each piece of marked text with its span in the paragraph."""
    pieces = []
    position = 0
    for segment in mark_units(neutral(paragraph)).split(SENTENCE_MARK):
        pieces.append((segment, _strip_span(paragraph, position, position + len(segment))))
        position += len(segment)
    return pieces


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- quoted material -------------------------------------------------------------------------------

DOUBLE_QUOTES = '"“”„‟«»‹›'
SINGLE_QUOTED = re.compile(r"['‘](?<![\w'’‘]['‘])(?=[^\W_])[^'‘’\n\x00]*?[^\s'‘’\x00]['’](?![\w'’])")
"""A pair of single quotes around words ('keep coordinating'), not an apostrophe (Hamas' leader, rock 'n' roll
pairs up, which is harmless)."""
_TWEET_CREDIT = r"[—–-]+\s*[^()\n—–]{1,80}\(@\w{1,15}\)"
TWEET_CREDIT = re.compile(_TWEET_CREDIT)
"""A tweet's credit line ("— Donald J. Trump (@realDonaldTrump) July 16, 2018"), wherever it sits."""
POST_LINK = re.compile(r"pic\.twitter\.com/\w", re.IGNORECASE)
_POST_LINK_SLASH = len("pic.twitter.com")
"""Where the slash sits in a POST_LINK match (see post_links)."""
PHOTO_CREDIT = re.compile(
    r"(?:[(\[][^()\[\]\n]{1,60}/[^()\[\]\n]{1,60}[)\]]"
    r"|\b(?:AP|AFP|Reuters|REUTERS|Getty Images|EPA)(?: Photo)?\s*/\s*[A-Z][\w.'’ -]{1,40}"
    r"|[a-z.]\s*[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}\s*/\s*"
    r"(?:Associated Press|AP|AFP|Reuters|Getty Images|EPA(?:-EFE)?|Bloomberg|Pool)\b[\w /,-]{0,30})\s*$")
"""A photo credit ending a paragraph: "(Evan Vucci/AP)", "[Anwar Amro/AFP]", "AP Photo/Evan Vucci",
"…Evan Vucci/Associated Press"."""
LINE_START = re.compile(
    rf"^\s*(?:(?P<credit>{_TWEET_CREDIT}|(?i:A post shared by\b)|[A-Z][A-Z.'’\- ]{{2,40}},\s*[A-Z][\w/.\- ]{{1,40}}$)"
    r"|(?P<caption>(?i:FILE\s*(?:PHOTO)?\s*[-–—:]|In this (?:[\w ,.]{0,40}\s)?(?:file )?photo\b))"
    r"|(?P<speaker>Q|A|[A-Z][A-Z.'’\- ]{0,38}[A-Z.])\s*:(?:\s*$|\s*(?=\S)))", re.MULTILINE)
"""What a paragraph opens with: a credit line (of the post or caption just above: a tweet's, "A post shared by …",
"KIMMO BRANDT, EPA-EFE"), an agency caption's opening ("FILE - In this 2017 file photo"), or a speaker's label
("TRUMP: …", "SENATOR MARK WARNER:Well, …", or the label alone, its words in the paragraphs below)."""
_CREDIT_HANDLE = re.compile(r"\(@\w")
"""Where a tweet's credit may be."""
_SLASH_NEAR_END = re.compile(r"/[^\n]{0,100}$", re.MULTILINE)
MIN_TURNS = 3
"""A dialogue: at least this many paragraphs open with a speaker's label, two labels or more, one repeated."""
MAX_TURN_PARAGRAPHS = 8
"""A speaker's label on a line of its own quotes at most this many paragraphs below it."""


Span = tuple[int, int]


def quoted_material(paragraphs: Sequence[str]) -> list[list[Span]]:
    """Per paragraph: the runs of its words (first, last + 1, counting from 0) that are quoted material other than
    quotation marks (see the module doc)."""
    found = material_words([paragraphs])
    return [found.get(index, []) for index in range(len(paragraphs))]


def material_words(articles: Sequence[Sequence[str]]) -> dict[int, list[Span]]:
    """:func:`quoted_material` for every paragraph of many articles, numbered across them, in one pass per pattern;
    only the paragraphs that hold some (most hold none)."""
    paragraphs = [p.replace("\n", " ") for ps in articles for p in ps]
    article = [number for number, ps in enumerate(articles) for _ in ps]
    starts = [0, *accumulate(len(p) + 1 for p in paragraphs)]
    spans = material_spans("\n".join(paragraphs), starts, article)
    return {index: [(len(words(paragraphs[index][:start])), len(words(paragraphs[index][:end])))
                    for start, end in found] for index, found in spans.items()}


SHORT_PARAGRAPH = 3
"""A post or a caption in a paragraph of at most this many sentences quotes the whole paragraph; in a longer one (a
body flattened into one paragraph, with a tweet embedded in it) only the sentence holding it."""


def material_spans(text: str, starts: Sequence[int], article: Sequence[int]) -> dict[int, list[Span]]:
    """Per paragraph of `text` (paragraphs joined by newlines, `starts[i]` the offset of paragraph i, `article[i]`
    the article it belongs to): the character spans of quoted material in it, for the paragraphs that have some
    (a paragraph may come with none; one that does not come has none).

    One pass of each pattern over the whole text; the slow ones only where a fast scan found their mark. No list per
    paragraph: a batch's hundred thousand empty lists cost more than the passes."""
    found: dict[int, list[Span]] = {}

    def paragraph_at(offset: int) -> int:
        return bisect_right(starts, offset) - 1

    def end_of(index: int) -> int:
        return starts[index + 1] - 1

    def mark(index: int, at: int | None = None, whole: bool = False) -> None:
        """The paragraph, or (when it is long and `at` is given) the sentence of it holding offset `at`."""
        paragraph = text[starts[index] : end_of(index)]
        sentences = split_sentences(paragraph)
        spans = found.setdefault(index, [])
        if whole or at is None or len(sentences) <= SHORT_PARAGRAPH:
            if (0, len(paragraph)) not in spans:
                spans.append((0, len(paragraph)))
            return
        local = at - starts[index]
        spans.extend(span for span in sentences if span[0] <= local < span[1] or span[1] == local)

    for start in post_links(text):
        mark(paragraph_at(start), start)
    for match in _CREDIT_HANDLE.finditer(text):  # where a tweet's credit may be
        index = paragraph_at(match.start())
        credit = TWEET_CREDIT.search(text, starts[index], end_of(index))
        if credit:
            mark(index, credit.start())
    for match in _SLASH_NEAR_END.finditer(text):  # where a photo credit may be
        index = paragraph_at(match.start())
        credit = PHOTO_CREDIT.search(text, max(starts[index], end_of(index) - 160), end_of(index))
        if credit:
            mark(index, credit.start())
    credits: list[int] = []
    turns: dict[int, list[tuple[int, re.Match[str]]]] = {}
    following = {number: index + 1 for index, number in enumerate(article)}  # each article's last paragraph + 1
    for index, match in line_starts(text, starts[:-1], [starts[following[number]] - 1 for number in article]):
        if match.group("credit"):
            credits.append(index)
        elif match.group("caption"):
            mark(index, match.start())
        else:
            turns.setdefault(article[index], []).append((index, match))
    for index in credits:
        above = index - 1
        if above >= 0 and article[above] == article[index] and not found.get(above) and above not in credits:
            mark(above, end_of(above))  # the post's text or the caption, just above its credit line
        mark(index, whole=True)
    # "X wrote on Twitter:", the line that introduces a post. In paragraph order; a paragraph gains spans only once
    # passed (it is the one above), so the paragraphs holding some now are all those to visit.
    for index in sorted(found):
        spans, above = found[index], index - 1
        if (spans and spans[0][0] == 0 and above >= 0 and article[above] == article[index] and not found.get(above)
                and text[end_of(above) - 1 : end_of(above)] == ":" and end_of(above) - starts[above] <= 80):
            found.setdefault(above, []).append((0, end_of(above) - starts[above]))
    for labels in turns.values():
        counts = Counter(match.group("speaker").strip().upper() for _, match in labels)
        if sum(counts.values()) >= MIN_TURNS and len(counts) >= 2 and max(counts.values()) >= 2:
            turn_starts = {index for index, _ in labels}
            for index, match in labels:
                found.setdefault(index, []).append((match.end() - starts[index], end_of(index) - starts[index]))
                if match.end() >= end_of(index):  # a label alone: its words follow, up to the next label
                    below = index + 1
                    while (below < len(article) and article[below] == article[index] and below not in turn_starts
                           and below - index <= MAX_TURN_PARAGRAPHS):
                        mark(below, whole=True)
                        below += 1
    return found


def post_links(text: str) -> Iterator[int]:
    """Where POST_LINK matches in `text` (as ``finditer`` finds them), looking only behind the text's slashes: a
    case-blind pattern makes the regex engine try every position of the text, a slash is found by a literal scan.
    Like ``finditer``, a match never starts inside the one before it."""
    matched_to = 0
    slash = text.find("/")
    while slash >= 0:
        start = slash - _POST_LINK_SLASH
        if start >= matched_to:
            match = POST_LINK.match(text, start)
            if match:
                matched_to = match.end()
                yield start
        slash = text.find("/", slash + 1)


def line_starts(text: str, starts: Sequence[int], ends: Sequence[int]) -> Iterator[tuple[int, re.Match[str]]]:
    """LINE_START's matches in `text` (lines starting at `starts`, ascending), as ``finditer`` finds them, with the
    number of the line each starts: the pattern is tried at line starts only (the only places its ``^`` matches),
    each from where the last match ended, instead of at every position of the text. Line i is read as if the text
    ended at ``ends[i]`` (the end of its article, when many articles are read at once: a label's ``\\s+`` must not
    run into the next article)."""
    matched_to = 0
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        match = LINE_START.match(text, start, end) if start >= matched_to else None
        if match is not None:
            matched_to = match.end()
            yield index, match


# --- one article as units --------------------------------------------------------------------------

TOKEN = re.compile(f'{_WORD.pattern}|["{SINGLE_QUOTE_MARK}]')
"""A word, a double quote (typographic ones are straight after normalise) or a paired single quote."""


@dataclass(frozen=True, slots=True)
class Sentence:
    paragraph: int
    start: int
    end: int
    """Character span in its paragraph."""
    words: tuple[str, ...]
    """Normalised words, as normalise.words() finds them."""
    quoted: tuple[bool, ...]
    """Per word: inside quoted material."""


def article_sentences(paragraphs: Sequence[str]) -> list[Sentence]:
    """Every sentence of an article that has words, in reading order, with its normalised words and quote flags.

    A word is inside quotation marks when an odd number of double quotes (or of paired single quotes) come
    before it in its paragraph; a double quote left open runs to the end of the paragraph.
    """
    material = quoted_material(paragraphs)
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        double = single = False
        seen = 0  # words of the paragraph so far
        for segment, (start, end) in _segments(paragraph):
            found: list[str] = []
            flags: list[bool] = []
            for token in TOKEN.findall(normalise(segment)):
                if token == '"':
                    double = not double
                elif token == SINGLE_QUOTE_MARK:
                    single = not single
                else:
                    flags.append(double or single or any(k0 <= seen < k1 for k0, k1 in material[number]))
                    found.append(token)
                    seen += 1
            if found:
                sentences.append(Sentence(number, start, end, tuple(found), tuple(flags)))
    return sentences


def unit_sketch(paragraphs: Sequence[str], ngram: int = 5, furniture: Sequence[bool] | None = None) -> UnitSketch:
    """What alignment needs of an article, from its text (the reference the batch path must equal).

    `furniture` flags paragraphs whose sentences carry no evidence (they stay numbered, inactive, and keep their
    shingles and terms, which alignment leaves out).
    """
    sentences = article_sentences(paragraphs)
    paragraph = np.array([s.paragraph for s in sentences], dtype=np.int32)
    active = (np.ones(len(sentences), dtype=bool) if furniture is None
              else ~np.asarray(furniture, dtype=bool)[paragraph] if len(sentences) else np.zeros(0, dtype=bool))
    values: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    term_lists: list[np.ndarray] = []
    for number, sentence in enumerate(sentences):
        hashes = np.unique(ngram_hashes(hash_words(sentence.words), ngram))
        values.append(hashes)
        owners.append(np.full(len(hashes), number, dtype=np.int32))
        term_lists.append(sorted_terms(sentence.words))
    all_values = np.concatenate(values) if values else np.empty(0, np.uint64)
    all_owners = np.concatenate(owners) if owners else np.empty(0, np.int32)
    order = np.argsort(all_values, kind="stable")  # ties keep sentence order: the first owner wins
    all_values, all_owners = all_values[order], all_owners[order]
    first = np.ones(len(all_values), dtype=bool)
    first[1:] = all_values[1:] != all_values[:-1]
    term_offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in term_lists], out=term_offsets[1:])
    word_hashes = [hash_words(sentence.words) for sentence in sentences]
    counts = np.array([len(s.words) for s in sentences], dtype=np.int64)
    keys = sentence_keys(np.concatenate(word_hashes) if word_hashes else np.empty(0, np.uint64),
                         np.repeat(np.arange(len(sentences)), counts), counts)
    return UnitSketch.of(
        paragraph=paragraph, words=np.array([len(s.words) for s in sentences], dtype=np.int32), sentence_keys=keys,
        quoted=np.array([sum(s.quoted) for s in sentences], dtype=np.int32), active=active,
        shingles=all_values[first], shingle_owner=all_owners[first],
        terms=np.concatenate(term_lists) if term_lists else np.empty(0, np.uint32), term_offsets=term_offsets)


# --- many articles at once -------------------------------------------------------------------------

CHUNK_WORDS = 60
"""LSH units: a paragraph, or, when it is longer, runs of its sentences of about this many words. A body flattened
into one paragraph then gives about the same units as its source's paragraphs."""


@dataclass(frozen=True, slots=True)
class UnitBatch:
    """A batch of articles as flat arrays: paragraphs, sentences, their shingles and content terms.

    Paragraphs, sentences and LSH chunks are numbered across the batch. Article a owns paragraphs
    ``paragraph_offsets[a]:paragraph_offsets[a + 1]`` and sentences ``sentence_offsets[a]:…``; sentence s
    owns ``shingles[shingle_offsets[s]:shingle_offsets[s + 1]]`` (distinct, sorted) and the same slice of
    ``terms`` by ``term_offsets``; chunk k is sentences ``chunk_offsets[k]:chunk_offsets[k + 1]``.
    """

    paragraph_offsets: np.ndarray
    sentence_offsets: np.ndarray
    fingerprints: np.ndarray
    """uint64 per paragraph: normalise.paragraph_fingerprint (digits folded), to spot furniture."""
    paragraph_words: np.ndarray
    sentence_paragraph: np.ndarray
    sentence_words: np.ndarray
    sentence_quoted: np.ndarray
    sentence_keys: np.ndarray
    """uint64 per sentence: the hash of its words (see sentence_keys)."""
    shingles: np.ndarray
    shingle_offsets: np.ndarray
    terms: np.ndarray
    term_offsets: np.ndarray
    chunk_offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.paragraph_offsets) - 1

    def chunk_shingle_offsets(self) -> np.ndarray:
        """Offsets of each chunk's shingles in ``shingles`` (a chunk's sentences are contiguous)."""
        return self.shingle_offsets[self.chunk_offsets]


_MARKS = (MARK, SENTENCE_MARK.encode(), SINGLE_QUOTE_MARK.encode(), b'"')
_BATCH_TOKEN = re.compile(f'{_WORD.pattern}|["\\x00{SENTENCE_MARK}{SINGLE_QUOTE_MARK}]')


def units_batch(articles: Sequence[Sequence[str]], ngram: int = 5, seed: int = 0) -> UnitBatch:
    """Every article's units in a few whole-batch passes, equal to :func:`unit_sketch` article by article.

    The text of the batch is marked once (sentence ends, paired single quotes) and tokenised once (ASCII
    runs through a byte table, the rest through normalise() and a regex); sentence, paragraph and quote
    membership of every word then come from cumulative sums over the mark tokens.

    A pre-ingest check is a batch of one article, so the fixed cost of a call counts as much as the cost per word:
    ndarray methods rather than the numpy functions that wrap them, no pass for quotes or quoted material an
    article does not hold, each sentence's first word found once and used for its paragraph, key and offsets.
    """
    paragraph_offsets = np.array([0, *accumulate(map(len, articles))], dtype=np.int64)
    paragraphs = int(paragraph_offsets[-1])
    tokens, fingerprint_text = _marked_tokens(articles)
    hashes = hash_tokens(tokens, seed)
    (mark, mark_positions), (sentence_end, _), (single, singles), (double, doubles) = (
        _find(tokens, hashes, token, value) for token, value in zip(_MARKS, _mark_hashes(seed), strict=True))
    if len(mark_positions) != paragraphs:
        raise AssertionError("paragraph marks lost in tokenising")  # cannot happen: MARK is neutralised in text
    # Per word: its paragraph (marks before it) and raw sentence (sentence ends or paragraph ends before it).
    boundary = mark | sentence_end
    word_positions = (~(boundary | single | double)).nonzero()[0]
    word_paragraph = _before(mark, mark_positions, word_positions)
    raw_sentence = _before(boundary, None, word_positions)
    new_sentence = first_of_runs(raw_sentence)
    sentence_first = new_sentence.nonzero()[0]
    """Each sentence's first word (a sentence is a run of words between two boundaries)."""
    word_sentence = (raw_sentence[sentence_first].searchsorted(raw_sentence) if len(mark) <= SEARCH_TOKENS
                     else new_sentence.cumsum() - 1)  # dense ranks, as _before counts
    sentences = len(sentence_first)
    # Quote state: odd counts of double (or paired single) quotes before a word, within its paragraph.
    quoted = None
    for toggles, positions in ((double, doubles), (single, singles)):
        if len(positions):
            base = np.zeros(paragraphs + 1, dtype=np.int64)
            base[1:] = _before(toggles, positions, mark_positions)
            odd = (_before(toggles, positions, word_positions) - base[word_paragraph]) % 2 == 1
            quoted = odd if quoted is None else quoted | odd
    paragraph_words = np.bincount(word_paragraph, minlength=paragraphs)
    material = material_words(articles)
    if any(material.values()):
        first_word = np.zeros(paragraphs + 1, dtype=np.int64)
        paragraph_words.cumsum(out=first_word[1:])
        spans = _in_spans(material, first_word, len(word_positions))
        quoted = spans if quoted is None else quoted | spans
    sentence_paragraph = word_paragraph[sentence_first]
    sentence_words = np.bincount(word_sentence, minlength=sentences)
    word_hashes = hashes[word_positions]
    shingles, shingle_offsets = _sentence_shingles(word_hashes, word_sentence, sentences, ngram)
    terms, term_offsets = _sentence_terms(tokens, word_positions, word_hashes, word_sentence, sentences, seed)
    return UnitBatch(
        paragraph_offsets=paragraph_offsets,
        sentence_offsets=sentence_paragraph.searchsorted(paragraph_offsets).astype(np.int64, copy=False),
        fingerprints=fingerprints_of_text(fingerprint_text),
        paragraph_words=paragraph_words.astype(np.int64, copy=False),
        sentence_paragraph=sentence_paragraph.astype(np.int64, copy=False),
        sentence_words=sentence_words.astype(np.int32),
        sentence_quoted=np.zeros(sentences, dtype=np.int32) if quoted is None else np.bincount(
            word_sentence, weights=quoted, minlength=sentences).astype(np.int32),
        sentence_keys=_sentence_keys(word_hashes, word_sentence, sentence_first),
        shingles=shingles, shingle_offsets=shingle_offsets, terms=terms, term_offsets=term_offsets,
        chunk_offsets=_chunks(sentence_paragraph, sentence_words))


def _before(mask: np.ndarray, positions: np.ndarray | None, at: np.ndarray) -> np.ndarray:
    """How many tokens of `mask` (at `positions`, ascending, when known) come before each of the ascending positions
    `at` (none of them in `mask`): a sorted search among the few marks of a batch of SEARCH_TOKENS tokens or fewer
    (one article: a cumulative sum, cast from bool, costs more than its work), a cumulative sum over more."""
    if len(mask) <= SEARCH_TOKENS:
        return (mask.nonzero()[0] if positions is None else positions).searchsorted(at)
    return mask.cumsum()[at]


SEARCH_TOKENS = 4096
"""Up to this many tokens, units_batch counts marks by sorted search (see _before); measured on Reuters, where the
two ways cross at about 4000 tokens (ten stories)."""


def _marked_tokens(articles: Sequence[Sequence[str]]) -> tuple[list[bytes], bytes]:
    """Words and mark tokens of every paragraph, each paragraph followed by MARK; and what paragraph fingerprints
    read: the words alone, one space apart, each paragraph followed by MARK (for ASCII text, made from the mapped
    bytes directly rather than by joining the words again)."""
    tokens: list[bytes] = []
    texts: list[bytes] = []
    for ascii_run, run in groupby(articles, key=lambda paragraphs: all(map(str.isascii, paragraphs))):
        paragraphs = [p for ps in run for p in ps]
        text = "\x00".join(paragraphs)
        if text.count("\x00") != len(paragraphs) - 1 or SENTENCE_MARK in text or SINGLE_QUOTE_MARK in text:
            text = "\x00".join(map(neutral, paragraphs))
        text = mark_units(text + "\x00")
        if ascii_run:
            for token in ('"', "\x00", SENTENCE_MARK, SINGLE_QUOTE_MARK):
                text = text.replace(token, f" {token} ")
            mapped = ascii_mapped(text.encode(), ASCII_UNIT_TOKENS).tobytes()
            tokens += mapped.split()
            texts.append(_words_apart(mapped))
        else:
            found = [token.encode() for token in _BATCH_TOKEN.findall(normalise(text))]
            tokens += found
            texts.append(b" ".join(token for token in found if token not in _UNIT_MARKS))
    return tokens, b" ".join(texts)


_UNIT_MARKS = frozenset(_MARKS) - {MARK}
_MARKS_AS_SPACES = bytes.maketrans(b"".join(sorted(_UNIT_MARKS)), b" " * len(_UNIT_MARKS))
_SPACE = ord(" ")


def _words_apart(mapped: bytes) -> bytes:
    """Mapped ASCII text (see shingle.ascii_mapped) as its words and paragraph marks one space apart: the unit marks
    (sentence ends, quotes) become spaces, and runs of spaces one."""
    text = np.frombuffer(mapped.translate(_MARKS_AS_SPACES), dtype=np.uint8)
    space = text == _SPACE
    keep = np.empty(len(text), dtype=bool)
    keep[:1] = ~space[:1]
    keep[1:] = ~(space[1:] & space[:-1])
    return text[keep].tobytes()


def _in_spans(spans: dict[int, list[Span]], first_word: np.ndarray, words: int) -> np.ndarray:
    """Per word of the batch: inside one of the spans (word runs of the paragraphs named, each numbered from the
    paragraph's first word)."""
    edges = np.zeros(words + 1, dtype=np.int64)
    for paragraph, runs in spans.items():
        for start, end in runs:
            if end > start:
                edges[first_word[paragraph] + start] += 1
                edges[first_word[paragraph] + end] -= 1
    return np.cumsum(edges[:-1]) > 0


def _find(tokens: list[bytes], hashes: np.ndarray, token: bytes, value: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Where `token` (whose hash is `value`) is, as a mask and as positions: found by hash and confirmed by value (a
    word whose hash collides is not a mark)."""
    found = hashes == value
    suspects = found.nonzero()[0]
    if len(suspects) and not all(tokens[i] == token for i in suspects.tolist()):
        found[[i for i in suspects.tolist() if tokens[i] != token]] = False
        suspects = found.nonzero()[0]
    return found, suspects


@lru_cache(maxsize=8)
def _mark_hashes(seed: int) -> tuple[np.uint64, ...]:
    """The hashes of the mark tokens (_MARKS) under this seed."""
    return tuple(np.uint64(xxhash.xxh3_64_intdigest(token, seed)) for token in _MARKS)


def sentence_keys(word_hashes: np.ndarray, word_sentence: np.ndarray, sentence_words: np.ndarray,
                  ngram: int = 0) -> np.ndarray:
    """Per sentence: a hash of its word sequence (never 0), so that identical sentences align even when they have
    no shingle of their own: shorter than a shingle ("Advertisement", a one-line heading), or repeated in their
    article (a caption printed twice), whose shingles belong to its first occurrence."""
    keys = np.zeros(len(sentence_words), dtype=np.uint64)
    present = np.flatnonzero(sentence_words > 0)
    if len(present):
        starts = np.concatenate([[0], np.cumsum(sentence_words)[:-1]])
        # Every word's sentence holds words: numbered among those, each sentence starts where its words do.
        keys[present] = _sentence_keys(word_hashes, present.searchsorted(word_sentence), starts[present])
    return keys


def _sentence_keys(word_hashes: np.ndarray, word_sentence: np.ndarray, sentence_first: np.ndarray) -> np.ndarray:
    """:func:`sentence_keys` where every sentence holds words (as units_batch numbers them), from each sentence's first
    word."""
    if not len(sentence_first):
        return np.zeros(0, dtype=np.uint64)
    rank = (np.arange(len(word_sentence)) - sentence_first[word_sentence] + 1).astype(np.uint64)
    return fmix64(np.add.reduceat(word_hashes * (rank * WORD_MULTIPLIER), sentence_first)) | np.uint64(1)


def _sentence_shingles(word_hashes: np.ndarray, word_sentence: np.ndarray, sentences: int,
                       n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's distinct n-gram hashes, sorted: n-grams never straddle two sentences."""
    grams = ngram_hashes(word_hashes, n)
    if len(grams):
        inside = word_sentence[: len(grams)] == word_sentence[n - 1 :]
        grams, owner = grams[inside], word_sentence[: len(grams)][inside].astype(np.uint64)
    else:
        owner = np.empty(0, dtype=np.uint64)
    grams, owner = sort_within_owner(grams, owner)
    distinct = np.empty(len(grams), dtype=bool)
    distinct[:1] = True
    np.not_equal(grams[1:], grams[:-1], out=distinct[1:])
    distinct[1:] |= owner[1:] != owner[:-1]
    grams, owner = grams[distinct], owner[distinct]
    # Each sentence's first shingle, by sorted search among the owners (sorted): a count per sentence and its sum.
    return grams, owner.searchsorted(np.arange(sentences + 1, dtype=np.uint64)).astype(np.int64, copy=False)


def _sentence_terms(tokens: list[bytes], word_positions: np.ndarray, word_hashes: np.ndarray,
                    word_sentence: np.ndarray, sentences: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's distinct content terms (see syndicate.terms), sorted; each distinct word's term from its first
    spelling in the batch (as its hash names it), looked up in the memo of words seen before."""
    order, ordered = sort_with_order(word_hashes)
    first = first_of_runs(ordered)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = first.cumsum() - 1
    starts = first.nonzero()[0]

    def spellings(distinct: np.ndarray) -> Iterator[bytes]:
        return map(tokens.__getitem__, word_positions[order[starts[distinct]]].tolist())  # equal words: first first

    terms = _TERMS.of(ordered[starts], spellings, seed)[inverse]
    keep = terms > 0
    packed = (word_sentence[keep].astype(np.uint64) << _32) | terms[keep]
    packed.sort()
    packed = packed[first_of_runs(packed)]
    # A sentence's first term: the first key at or past its number in the high half (keys sorted).
    offsets = packed.searchsorted(np.arange(sentences + 1, dtype=np.uint64) << _32).astype(np.int64, copy=False)
    return (packed & _LOW32).astype(np.uint32), offsets


_32, _LOW32 = np.array(32, dtype=np.uint64), np.array(0xFFFFFFFF, dtype=np.uint64)


class _TermMemo:
    """The content term (0 for none) of every word seen, by the word's hash: two sorted arrays, so that a batch
    finds the terms of its distinct words with one sorted search and works out only the words it is the first to
    bring (news vocabularies repeat from batch to batch). Forgotten past TERM_MEMO_WORDS words, and when the hash
    seed changes.

    The words a call brings wait in a dict until they are a share of the arrays (MEMO_MERGE), then join them in one
    sort: inserting each call's few new words into arrays of a million would copy the arrays every call (1.6 ms at a
    million words, more than signing a checked article)."""

    def __init__(self) -> None:
        self._seed: int | None = None
        self._hashes = np.empty(0, dtype=np.uint64)
        self._terms = np.empty(0, dtype=np.uint64)
        self._recent: dict[int, int] = {}

    def of(self, hashes: np.ndarray, spellings: Callable[[np.ndarray], Iterable[bytes]], seed: int) -> np.ndarray:
        """The terms of the words with these distinct `hashes` (sorted); ``spellings(k)`` spells the words at
        positions k of `hashes`."""
        known = len(self._hashes)
        if seed != self._seed or known + len(self._recent) + len(hashes) > TERM_MEMO_WORDS:
            self._seed, self._hashes, self._terms, self._recent = seed, self._hashes[:0], self._terms[:0], {}
            known = 0
        terms = np.empty(len(hashes), dtype=np.uint64)
        if known:
            where = self._hashes.searchsorted(hashes)
            where[where == known] = known - 1
            found = self._hashes[where] == hashes
            terms[found] = self._terms[where[found]]
            missing = (~found).nonzero()[0]
        else:
            missing = np.arange(len(hashes))
        if not len(missing):
            return terms
        recent = self._recent
        missing_hashes = hashes[missing].tolist()
        held = [recent.get(value, -1) for value in missing_hashes]
        new = [k for k, term in enumerate(held) if term < 0]
        if len(new) < len(held):
            old = [k for k, term in enumerate(held) if term >= 0]
            terms[missing[old]] = [held[k] for k in old]
        if new:
            brought = token_terms(spellings(missing[new]))
            terms[missing[new]] = brought
            recent.update(zip([missing_hashes[k] for k in new], brought, strict=True))
            if len(recent) >= max(MEMO_MERGE_WORDS, known // MEMO_MERGE):
                self._merge()
        return terms

    def _merge(self) -> None:
        """The recent words into the sorted arrays (a snapshot of them: the dict is not read while it may change)."""
        recent = np.array(list(self._recent.items()), dtype=np.uint64).reshape(-1, 2)
        hashes = np.concatenate([self._hashes, recent[:, 0]])
        order = hashes.argsort(kind="stable")  # a sorted run and a short tail: merged
        self._hashes, self._terms, self._recent = hashes[order], np.concatenate([self._terms, recent[:, 1]])[order], {}


TERM_MEMO_WORDS = 1 << 20
MEMO_MERGE_WORDS = 4096
MEMO_MERGE = 8
"""Recent words join the memo's arrays once they are MEMO_MERGE_WORDS, or an eighth of the arrays."""
_TERMS = _TermMemo()


def _chunks(sentence_paragraph: np.ndarray, sentence_words: np.ndarray) -> np.ndarray:
    """Chunk boundaries over sentences: a new chunk at each paragraph, and within a paragraph each time the words
    before a sentence pass another multiple of CHUNK_WORDS."""
    count = len(sentence_words)
    if count == 0:
        return np.zeros(1, dtype=np.int64)
    total = sentence_words.cumsum() - sentence_words
    # The words of the batch before each sentence's paragraph: `total` at the paragraph's first sentence, which is
    # the largest value of `total` at a paragraph start so far (`total` never decreases).
    before = total - np.maximum.accumulate(np.where(first_of_runs(sentence_paragraph), total, 0))
    code = sentence_paragraph.astype(np.int64) * (1 << 20) + before // CHUNK_WORDS
    edges = np.empty(count + 1, dtype=bool)
    edges[0] = edges[count] = True
    np.not_equal(code[1:], code[:-1], out=edges[1:count])
    return edges.nonzero()[0].astype(np.int64, copy=False)
