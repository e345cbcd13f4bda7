"""Rule-based paraphrase at graded strengths, for the syndication simulator's rewrites.

An editor rewriting agency copy keeps the facts and their order and changes the wording:
attributions move ("X said Y" / "Y, X said" / "According to X, Y"), subordinate clauses swap
sides, long sentences are split and short ones merged, numbers and dates are restyled
("5 pct" / "5%", "12 mln dlrs" / "$12 million", "Monday" / "on March 2"), modifiers are dropped
or added, set phrases and words are exchanged for equivalents. Each operation fires at a rate
set by the strength:

* ``light``: a few words and numbers restyled, an attribution moved now and then;
* ``moderate``: every sentence touched, about half the words that have an equivalent replaced;
* ``heavy``: every replaceable word replaced and most sentences restructured.

On whole Reuters-21578 stories the median share of a paraphrase's word 5-grams found in its
source is 0.84, 0.62 and 0.45. Names, numbers and domain nouns have no plain-English
equivalent and stay, so even ``heavy`` keeps more 5-grams than a human heavy revision does.

Everything is drawn from the `random.Random` passed in, so a seed fixes the result. The
word tables hold only replacements that read as plain English in news copy; no marker word
is ever inserted, so no token says "this was paraphrased".
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

STRENGTHS = ("light", "moderate", "heavy")


@dataclass(frozen=True)
class Strength:
    """The chance of each operation, per word, phrase, number or sentence where it applies."""

    words: float
    phrases: float
    numbers: float
    attribution: float
    clauses: float
    split: float
    merge: float
    drop_modifiers: float
    add_modifiers: float
    grammar: float
    """Tense, voice, relative pronouns, fronted time phrases, possessives, days added to attributions."""


LEVELS = {
    "light": Strength(words=0.15, phrases=0.3, numbers=0.4, attribution=0.2, clauses=0.1, split=0.05, merge=0.05,
                      drop_modifiers=0.2, add_modifiers=0.05, grammar=0.1),
    "moderate": Strength(words=0.5, phrases=0.7, numbers=0.8, attribution=0.6, clauses=0.5, split=0.3, merge=0.2,
                         drop_modifiers=0.5, add_modifiers=0.2, grammar=0.5),
    "heavy": Strength(words=1.0, phrases=1.0, numbers=1.0, attribution=1.0, clauses=1.0, split=0.5, merge=0.35,
                      drop_modifiers=0.8, add_modifiers=0.35, grammar=0.9),
}  # fmt: skip

# Word -> equivalents that fit wherever the word does in news copy (inflections listed separately).
WORDS: dict[str, tuple[str, ...]] = {
    "said": ("stated", "noted"), "says": ("states", "notes"), "told": ("informed",),
    "company": ("firm",), "companies": ("firms",), "company's": ("firm's",),
    "rose": ("climbed", "increased", "gained"), "rise": ("increase", "climb"), "rises": ("increases", "climbs"),
    "rising": ("climbing", "increasing"), "fell": ("dropped", "declined"), "fall": ("drop", "decline"),
    "falls": ("drops", "declines"), "falling": ("dropping", "declining"),
    "decline": ("fall", "drop"), "expected": ("forecast", "predicted"),
    "expects": ("anticipates", "forecasts"), "expect": ("anticipate",), "announced": ("disclosed", "unveiled"),
    "agreed": ("consented",), "agreement": ("accord",), "agreements": ("accords",), "accord": ("agreement",),
    "acquire": ("buy",), "acquired": ("bought",), "takeover": ("acquisition",), "major": ("big", "leading"),
    "officials": ("authorities",), "government": ("administration",), "government's": ("administration's",),
    "profit": ("earnings",), "profits": ("earnings",), "loss": ("deficit",), "losses": ("deficits",),
    "planned": ("intended",), "revenue": ("turnover",), "talks": ("negotiations",),
    "negotiations": ("talks",), "discussions": ("talks",), "foreign": ("overseas",), "could": ("might",),
    "may": ("might",), "production": ("output",), "output": ("production",), "industry": ("sector",),
    "offer": ("bid",), "offers": ("bids",), "bid": ("offer",), "countries": ("nations",), "country": ("nation",),
    "country's": ("nation's",), "currently": ("now",), "only": ("just",), "analysts": ("experts", "observers"),
    "analyst": ("expert", "observer"), "growth": ("expansion",), "debt": ("borrowing",), "debts": ("liabilities",),
    "quarter": ("period",), "group": ("concern",),
    "spokesman": ("representative", "spokesperson"), "spokeswoman": ("spokesperson",), "statement": ("release",),
    "help": ("assist",), "helped": ("assisted",), "helps": ("assists",), "big": ("large",), "large": ("big",),
    "biggest": ("largest",), "largest": ("biggest",), "small": ("minor",), "sharp": ("steep",),
    "sharply": ("steeply",), "strong": ("robust",), "weak": ("soft",), "weaker": ("softer",),
    "stronger": ("firmer",), "begin": ("start",), "began": ("started",), "begun": ("started",), "start": ("begin",),
    "started": ("began",), "buy": ("purchase",), "bought": ("purchased",), "sell": ("offload",),
    "sold": ("offloaded",), "selling": ("offloading",), "main": ("principal", "chief"),
    "important": ("significant",), "significant": ("notable",), "difficult": ("hard",), "enough": ("sufficient",),
    "recent": ("latest",), "recently": ("lately",), "soon": ("shortly",), "several": ("a number of",),
    "approximately": ("about",), "almost": ("nearly",), "nearly": ("almost",), "results": ("figures",),
    "demand": ("appetite",), "workers": ("employees", "staff"), "employees": ("staff", "workers"),
    "jobs": ("positions",), "chairman": ("chair",), "parliament": ("legislature",), "supported": ("backed",),
    "oppose": ("resist",), "opposed": ("resisted",), "warned": ("cautioned",), "urged": ("called on",),
    "believe": ("think",), "believes": ("thinks",), "believed": ("thought",), "think": ("believe",),
    "thinks": ("believes",), "shows": ("indicates",), "showed": ("indicated",), "shown": ("indicated",),
    "continue": ("carry on",), "remain": ("stay",), "remained": ("stayed",), "remains": ("stays",),
    "receive": ("get",), "received": ("got",), "needed": ("required",), "want": ("wish",), "wants": ("wishes",),
    "try": ("attempt",), "tried": ("attempted",), "allow": ("permit",), "allowed": ("permitted",),
    "allows": ("permits",), "provide": ("supply",), "provided": ("supplied",), "provides": ("supplies",),
    "estimate": ("forecast",), "estimates": ("forecasts",), "figure": ("number",), "figures": ("numbers",),
    "earlier": ("previously",), "already": ("by now",), "immediately": ("at once",), "additional": ("extra",),
    "previous": ("prior",), "reporters": ("journalists",), "newspaper": ("paper",), "decided": ("resolved",),
    "proposal": ("plan",), "proposals": ("plans",), "proposed": ("suggested",), "problem": ("difficulty",),
    "problems": ("difficulties",), "concerns": ("worries",), "concerned": ("worried",), "changes": ("alterations",),
    "shareholders": ("stockholders",), "stake": ("holding",), "unit": ("subsidiary",), "subsidiary": ("unit",),
    "operations": ("activities",), "spending": ("expenditure",), "costs": ("expenses",), "loans": ("credits",),
    "loan": ("credit",), "lending": ("credit",), "investors": ("backers",), "dividend": ("payout",),
    "earnings": ("profits",), "meanwhile": ("in the meantime",), "raise": ("lift",), "raised": ("lifted",),
    "raising": ("lifting",), "reduce": ("cut",), "reduced": ("cut",), "reduction": ("cut",), "boost": ("lift",),
    "boosted": ("lifted",), "gains": ("advances",), "gained": ("advanced",), "strike": ("walkout",),
    "outlook": ("prospects",), "rejected": ("turned down",), "approved": ("cleared",), "approval": ("clearance",),
    "substantial": ("considerable",), "considerable": ("substantial",), "current": ("present",),
    "key": ("crucial",), "rapid": ("swift",), "rapidly": ("swiftly",), "quickly": ("swiftly",),
    "slowed": ("eased",), "sluggish": ("slow",), "completed": ("finished",), "purchased": ("bought",),
    "meeting": ("session",), "meetings": ("sessions",), "exports": ("shipments",), "say": ("state",),
    "program": ("programme",), "programs": ("programmes",), "labor": ("labour",), "organization": ("organisation",),
    "favor": ("favour",), "center": ("centre",), "defense": ("defence",), "annual": ("yearly",),
    "income": ("earnings",), "noted": ("said",), "might": ("could",), "dealers": ("traders",),
    "traders": ("dealers",), "nations": ("countries",), "assets": ("holdings",), "committee": ("panel",),
    "measures": ("steps",), "whether": ("if",), "drop": ("fall",), "below": ("under",), "senior": ("top",),
    "amount": ("sum",), "goods": ("products",), "producers": ("makers",), "saying": ("stating",),
}  # fmt: skip

# Phrases, replaced whole (longest first).
PHRASES: dict[str, tuple[str, ...]] = {
    "in order to": ("to",), "as well as": ("and",), "a number of": ("several",), "more than": ("over",),
    "less than": ("under",), "compared with": ("against",), "compared to": ("against",),
    "is expected to": ("is likely to",), "are expected to": ("are likely to",), "was expected to": ("was likely to",),
    "is likely to": ("is expected to",), "are likely to": ("are expected to",),
    "in addition to": ("besides",), "as a result of": ("because of",), "because of": ("owing to",),
    "so far": ("to date",), "a year ago": ("a year earlier",), "on the other hand": ("by contrast",),
    "such as": ("including",), "per share": ("a share",), "at the end of": ("at the close of",),
    "in the past": ("previously",), "at present": ("now",), "in the future": ("going forward",),
    "at least": ("no less than",), "told reporters": ("said to journalists",), "took place": ("happened",),
    "for example": ("for instance",), "in the first quarter": ("in the first three months",),
    "said it would": ("said it will",), "said it could": ("said it can",), "as soon as": ("once",),
    "in response to": ("responding to",), "in the wake of": ("following",), "at a time when": ("when",),
    "on behalf of": ("for",), "said that": ("said",), "however,": ("though,",), "However,": ("But", "Still,"),
    "after the": ("following the",), "before the": ("ahead of the",), "because the": ("since the", "as the"),
    "because it": ("since it", "as it"), "said the": ("said that the",), "said it": ("said that it",),
    "interest rates": ("borrowing costs",), "interest rate": ("borrowing cost",), "stock market": ("equity market",),
    "stock exchange": ("bourse",), "trade deficit": ("trade gap",), "budget deficit": ("budget shortfall",),
    "the United States": ("the US", "America"), "United States": ("US",), "European Community": ("EC",),
    "Soviet Union": ("USSR",), "net profit": ("net income",), "net loss": ("net deficit",),
    "oil prices": ("crude prices",), "the government": ("the authorities",), "economic growth": ("growth",),
}  # fmt: skip
_PHRASE = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")(?=\W|$)",
                     re.IGNORECASE)

DROPPABLE = frozenset(("also", "still", "already", "currently", "recently", "sharply", "slightly", "substantially",
                       "significantly", "very", "further", "just", "reportedly", "broadly", "largely"))
_NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_SUBORDINATORS = ("because", "after", "before", "while", "although", "when", "since", "as", "unless", "if")
_SPLITTERS = ("the", "it", "he", "she", "they", "this", "that", "its", "their", "there", "we", "these", "those")
_SPEECH = r"(?:said|says|told reporters|told Reuters|added|noted)"
_SUBJECT = r"[\w.'&-]+(?: [\w.'&-]+){0,7}"
_NOT_IN_SUBJECT = frozenset(("and", "but", "that", "which", "who", "to", "would", "will", "has", "had", "have", "is",
                             "was", "were", "are", "be", "not", "if", "when", "as", "because", "while", "after",
                             "since", "also", "could", "may", "should", "in", "on", "at", "with"))
_LEADING_SAID = re.compile(rf"^(?P<who>{_SUBJECT}) (?P<verb>{_SPEECH})(?: that)? (?P<what>[^\"]{{20,}}?)"
                           r"(?P<end>[.!?]?)$")
_TRAILING_SAID = re.compile(rf"^(?P<what>[^\"].{{19,}}?), (?P<who>{_SUBJECT}) (?P<verb>{_SPEECH})(?P<end>[.!?]?)$")
_INVERTED_SAID = re.compile(rf"^(?P<what>[^\"].{{19,}}?), (?P<verb>said|says) (?P<who>{_SUBJECT})(?P<end>[.!?]?)$")
_ACCORDING = re.compile(rf"^According to (?P<who>{_SUBJECT}), (?P<what>.{{20,}}?)(?P<end>[.!?]?)$")
_QUOTED_LEAD = re.compile(rf'^"(?P<quote>[^"]{{20,}}?),?" (?P<who>{_SUBJECT}) (?P<verb>said|says|added)'
                          r"(?P<end>[.!?]?)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_TOKEN = re.compile(r"(?<![\w'-])[A-Za-z][A-Za-z'-]*(?![\w])")
_OBJECT = {"he": "him", "she": "her", "they": "them", "it": "it", "we": "us"}


@dataclass(frozen=True)
class Context:
    """What the paraphraser knows about the story: its date (to restyle weekdays) and its common words."""

    date: datetime | None
    common_words: frozenset[str]
    """Words the story writes in lower case somewhere: safe to lower-case when moved off a sentence start."""

    @classmethod
    def of(cls, paragraphs: Sequence[str], date: datetime | None = None) -> Context:
        seen = frozenset(m.group(0) for p in paragraphs for m in re.finditer(r"\b[a-z][a-z'-]*\b", p))
        return cls(date=date, common_words=seen)


def paraphrase_paragraphs(paragraphs: Sequence[str], strength: str, rng: random.Random,
                          context: Context | None = None) -> list[str]:
    """Each paragraph paraphrased at `strength` (one of STRENGTHS); the paragraph layout is kept."""
    if strength not in LEVELS:
        raise ValueError(f"strength must be one of {', '.join(STRENGTHS)}, got {strength!r}")
    context = context or Context.of(paragraphs)
    return [paraphrase(p, strength, rng, context) for p in paragraphs]


def paraphrase(paragraph: str, strength: str, rng: random.Random, context: Context) -> str:
    """One paragraph, sentence by sentence, then neighbouring sentences merged or split."""
    level = LEVELS[strength]
    sentences: list[str] = []
    for sentence in split_sentences(paragraph):
        rewritten = _rewrite_sentence(sentence, level, rng, context)
        if rng.random() < level.split:
            sentences.extend(_split(rewritten, context))
        else:
            sentences.append(rewritten)
    merged: list[str] = []
    for sentence in sentences:
        if merged and rng.random() < level.merge and _mergeable(merged[-1]) and _mergeable(sentence):
            merged[-1] = _merge(merged[-1], sentence, rng, context)
        else:
            merged.append(sentence)
    return " ".join(merged)


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


def _rewrite_sentence(sentence: str, level: Strength, rng: random.Random, context: Context) -> str:
    if rng.random() < level.attribution:
        sentence = move_attribution(sentence, rng, context)
    if rng.random() < level.clauses:
        sentence = move_clause(sentence, context)
    sentence = restyle_numbers(sentence, level.numbers, rng, context)
    sentence = _replace_phrases(sentence, level.phrases, rng)
    sentence = _modifiers(sentence, level, rng)
    sentence = restructure(sentence, level.grammar, rng, context)
    return _replace_words(sentence, level.words, rng)


_TIME = r"(?:on|in|last|early|late) (?:" + "|".join(_WEEKDAYS + _MONTHS) + r"|week|month|the \w+ quarter|\d{4})"
_PERFECT = re.compile(r"\b(has|have) (been|[a-z]{3,}ed)\b")
_MODAL_BEFORE = re.compile(r"\b(would|could|should|might|may|will|must|to|not) $")
_RESTRICTIVE_WHICH = re.compile(r"(?<=[a-z]) which\b")
_IN_TIME = re.compile(r"\bin (?=(?:" + "|".join(_MONTHS) + r"|\d{4})\b)")
_IRREGULAR = {"bought": "bought", "sold": "sold", "made": "made", "held": "held", "paid": "paid", "won": "won",
              "led": "led", "told": "told", "found": "found", "brought": "brought", "taken": "took", "given": "gave",
              "chosen": "chose", "seen": "saw", "written": "wrote", "driven": "drove"}
_PASSIVE = re.compile(r"^(?P<x>[A-Z][^,\"]{3,50}?) (?:was|were) (?P<verb>[a-z]{3,}ed|"
                      + "|".join(_IRREGULAR) + r") by (?P<by>[^,.\"]{3,50}?)"
                      r"(?P<rest>[.!?]|, .*)$")
_FRONTABLE = re.compile(rf"^(?P<main>[^\"]{{20,}}?) (?P<time>{_TIME})(?P<end>[.!?])$")
_BARE_SAID = re.compile(r"\b(said|says)(?=[.,])")
_POSSESSIVE = re.compile(r"\b(?P<owner>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})'s (?P<thing>[a-z]+(?: [a-z]+)?) "
                         r"(?=(?:of|to|in|on|for|with|by|from|at|and|or|was|is|were|are|has|had|will|would|rose|fell)\b)")


def restructure(sentence: str, rate: float, rng: random.Random, context: Context) -> str:
    """Grammatical rewrites, each with probability `rate` where its pattern fits."""
    if '"' in sentence:
        return sentence

    def chance() -> bool:
        return rng.random() < rate

    def perfect(match: re.Match) -> str:
        if _MODAL_BEFORE.search(sentence[: match.start()]) or not chance():
            return match.group(0)
        if match[2] == "been":
            return "was" if match[1] == "has" else "were"
        return match[2]

    sentence = _PERFECT.sub(perfect, sentence)
    sentence = _RESTRICTIVE_WHICH.sub(lambda m: " that" if chance() else m.group(0), sentence)
    sentence = _IN_TIME.sub(lambda m: "during " if chance() else m.group(0), sentence)
    if (match := _PASSIVE.match(sentence)) and chance():
        verb = _IRREGULAR.get(match["verb"], match["verb"])
        sentence = f"{_capital(match['by'])} {verb} {_lower_first(match['x'], context)}{match['rest']}"
    if (match := _FRONTABLE.match(sentence)) and chance():
        sentence = f"{_capital(match['time'])}, {_lower_first(match['main'], context)}{match['end']}"
    if context.date is not None and not re.search(_TIME, sentence) and chance():
        day = f" on {_WEEKDAYS[context.date.weekday()]}"
        sentence = _BARE_SAID.sub(lambda m: m.group(0) + day, sentence, count=1)

    def possessive(match: re.Match) -> str:
        if not chance():
            return match.group(0)
        flipped = f"the {match['thing']} of {match['owner']} "
        return _capital(flipped) if match.start() == 0 else flipped

    return _POSSESSIVE.sub(possessive, sentence)


def move_attribution(sentence: str, rng: random.Random, context: Context) -> str:
    """'X said Y.' <-> 'Y, X said.' <-> 'According to X, Y.'; '"Q," X said.' -> 'X said: "Q."'."""
    match = _QUOTED_LEAD.match(sentence)
    if match and _is_subject(match["who"]):
        who, quote = _capital(match["who"]), match["quote"].rstrip(",")
        if rng.random() < 0.5 and "?" not in quote:
            return f"{who} {match['verb']} {_reported(quote, who)}."
        return f'{who} {match["verb"]}: "{quote}."'
    for pattern in (_TRAILING_SAID, _INVERTED_SAID, _ACCORDING):
        match = pattern.match(sentence)
        if match and _is_subject(match["who"]) and '"' not in match["what"]:
            who, what, end = match["who"], match["what"], match["end"] or "."
            verb = "said" if pattern is _ACCORDING or match["verb"] in ("added", "noted") else match["verb"]
            that = " that" if verb in ("said", "says") and rng.random() < 0.5 else ""
            return f"{_capital(who)} {verb}{that} {_lower_first(what, context)}{end}"
    match = _LEADING_SAID.match(sentence)
    if match and match["verb"] in ("said", "says") and _is_subject(match["who"]):
        who, what, end = match["who"], match["what"].rstrip(","), match["end"] or "."
        pronoun = _OBJECT.get(who.lower())
        if pronoun is None or rng.random() < 0.5:
            return f"{_capital(what)}, {_lower_first(who, context)} {match['verb']}{end}"
        return f"According to {pronoun}, {_lower_first(what, context)}{end}"
    return sentence


_BACKSHIFT = {"i": None, "me": None, "my": None, "am": "was", "is": "was", "are": "were", "will": "would",
              "can": "could", "we": "they", "us": "them", "our": "their", "ours": "theirs", "have": "had",
              "has": "had", "do": "did", "does": "did", "don't": "did not", "won't": "would not", "can't": "could not"}


def _reported(quote: str, who: str) -> str:
    """First-person direct speech as reported speech: 'I am optimistic' -> 'he was optimistic'."""
    pronoun = who.lower() if who.lower() in ("he", "she", "they") else "he"
    possessive = {"he": "his", "she": "her", "they": "their"}[pronoun]
    objective = {"he": "him", "she": "her", "they": "them"}[pronoun]

    def shift(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower == "i":
            replacement = pronoun
        elif lower == "me":
            replacement = objective
        elif lower == "my":
            replacement = possessive
        else:
            replacement = _BACKSHIFT[lower] or word
        return replacement

    text = re.sub(r"\b(" + "|".join(re.escape(w) for w in _BACKSHIFT) + r")\b", shift, quote, flags=re.IGNORECASE)
    return text[:1].lower() + text[1:] if text[:2] != "I " else text


def _is_subject(words: str) -> bool:
    return not any(word.lower() in _NOT_IN_SUBJECT for word in words.split())


def move_clause(sentence: str, context: Context) -> str:
    """'A because B.' -> 'Because B, a.' and 'After B, A.' -> 'A after b.'"""
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, ".")
    if '"' in body:
        return sentence
    first = body.split(" ", 1)[0]
    if first.lower() in _SUBORDINATORS and body.count(",") == 1:
        clause, main = body.split(", ", 1) if ", " in body else (body, "")
        if len(main.split()) >= 4 and len(clause.split()) >= 4:
            return f"{_capital(main)} {clause[:1].lower()}{clause[1:]}{end}"
        return sentence
    for word in _SUBORDINATORS[:7]:  # 'as', 'since', 'if' are too ambiguous to move from mid-sentence
        marker = f" {word} "
        position = body.find(marker)
        if position > 0 and body.count(marker) == 1 and "," not in body and " said" not in body[position:]:
            main, clause = body[:position], body[position + len(marker):]
            if len(main.split()) >= 4 and len(clause.split()) >= 4:
                return f"{word.capitalize()} {clause}, {_lower_first(main, context)}{end}"
    return sentence


_PCT = re.compile(r"\b(\d[\d,.]*) (pct|percent|per cent)\b")
_MONEY = re.compile(r"\b(\d[\d,.]*) (mln|million|bln|billion) (dlrs|dollars|U\.S\. dlrs)\b")
_UNITS = {"mln": ("million",), "bln": ("billion",), "dlrs": ("dollars",), "stg": ("pounds", "sterling"),
          "U.S.": ("US",), "U.K.": ("UK", "Britain"), "pct": ("percent",)}
_UNIT = re.compile(r"(?<![\w.])(mln|bln|dlrs|stg|U\.S\.|U\.K\.|pct)(?![\w])")
_SMALL = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten)\b(?= [a-z])")
_ABOUT = re.compile(r"\babout (\$?\d)")
_WEEKDAY = re.compile(r"\bon (" + "|".join(_WEEKDAYS) + r")\b(?!')")
_RELATIVE_DAY = re.compile(r"\b(today|yesterday)\b")
_RELATIVE_YEAR = re.compile(r"\b(?:(for|until|of|by|from|through|during|since|in) )?(this|last|next) year\b")
_MONTH_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r") (\d{1,2})\b(?!,? \d{4}| and \d|-)")


def restyle_numbers(sentence: str, rate: float, rng: random.Random, context: Context) -> str:
    """Percentages, amounts, small numbers, weekdays and relative days, each restyled with probability `rate`."""
    def maybe(function):
        return lambda match: function(match) if rng.random() < rate else match.group(0)

    sentence = _PCT.sub(maybe(lambda m: f"{m[1]}{rng.choice(('%', ' percent', ' per cent'))}"
                              if m[2] == "pct" else f"{m[1]}%"), sentence)
    sentence = _MONEY.sub(maybe(lambda m: f"${m[1]} {'million' if m[2] in ('mln', 'million') else 'billion'}"),
                          sentence)
    sentence = _UNIT.sub(maybe(lambda m: rng.choice(_UNITS[m[1]])), sentence)
    sentence = _SMALL.sub(maybe(_swap_small_number), sentence)
    sentence = _ABOUT.sub(maybe(lambda m: f"{rng.choice(('around', 'some', 'roughly'))} {m[1]}"), sentence)
    if context.date is not None:
        sentence = _WEEKDAY.sub(maybe(lambda m: _weekday_to_date(m[1], context.date)), sentence)
        sentence = _RELATIVE_DAY.sub(maybe(lambda m: _relative_day(m[1], context.date)), sentence)
        sentence = _RELATIVE_YEAR.sub(maybe(lambda m: _relative_year(m, context.date)), sentence)
    sentence = _MONTH_DAY.sub(maybe(lambda m: f"{m[2]} {m[1]}"), sentence)
    return sentence


def _swap_small_number(match: re.Match) -> str:
    return str(_NUMBER_WORDS.index(match.group(1)) + 2)


def _weekday_to_date(weekday: str, date: datetime) -> str:
    """The most recent `weekday` on or before the story's date, as 'on March 2'."""
    back = (date.weekday() - _WEEKDAYS.index(weekday)) % 7
    day = date - timedelta(days=back)
    return f"on {_MONTHS[day.month - 1]} {day.day}"


def _relative_year(match: re.Match, date: datetime) -> str:
    """'this year' -> 'in 1987', 'until next year' -> 'until 1988'."""
    year = date.year + {"this": 0, "last": -1, "next": 1}[match[2]]
    return f"{match[1] or 'in'} {year}"


def _relative_day(word: str, date: datetime) -> str:
    day = date - timedelta(days=1 if word == "yesterday" else 0)
    return f"on {_WEEKDAYS[day.weekday()]}"


def _replace_phrases(sentence: str, rate: float, rng: random.Random) -> str:
    """One pass, longest phrase first, so a replacement is never replaced again."""
    def swap(match: re.Match) -> str:
        phrase = match.group(0)
        options = PHRASES.get(phrase) or PHRASES.get(phrase.lower())
        if options is None or rng.random() >= rate:
            return phrase
        return _same_case(rng.choice(options), phrase)

    return _PHRASE.sub(swap, sentence)


def _modifiers(sentence: str, level: Strength, rng: random.Random) -> str:
    """Drop adverbs such as 'also' and 'sharply'; add 'also' after a modal, 'now' after 'is'/'are'."""
    def drop(match: re.Match) -> str:
        return "" if rng.random() < level.drop_modifiers else match.group(0)

    sentence = re.sub(r" (" + "|".join(sorted(DROPPABLE)) + r")\b(?=[ ,.])", drop, sentence)

    def add(match: re.Match) -> str:
        if rng.random() >= level.add_modifiers:
            return match.group(0)
        extra = "also" if match[1] else "now"
        return f"{match[0]} {extra}"

    return _ADDABLE.sub(add, sentence)


_ADDABLE = re.compile(r"\b(?:(will|would|could|should)(?! (?:also|not|be|have)\b)(?= [a-z]{3,})"
                      r"|(is|are)(?= [a-z]+ing\b))")


def _replace_words(sentence: str, rate: float, rng: random.Random) -> str:
    replaced: set[str] = set()

    def swap(match: re.Match) -> str:
        word = match.group(0)
        options = WORDS.get(word.lower())
        if options is None or rng.random() >= rate:
            return word
        if word[0].isupper() and (match.start() > 0 or sentence[match.end():match.end() + 2][1:].isupper()):
            return word  # part of a name: 'Major', 'New York', 'Strong Corp'
        replacement = rng.choice(options)
        replaced.add(replacement.split(" ", 1)[0])
        return _same_case(replacement, word)

    sentence = _TOKEN.sub(swap, sentence)
    # 'a rise' -> 'a increase' must read 'an increase' (only before words this function put there).
    return _ARTICLE.sub(lambda m: _article(m[1], m[2]) + " " + m[2] if m[2].lower() in replaced else m[0], sentence)


_ARTICLE = re.compile(r"\b([Aa]n?) ([A-Za-z][\w'-]*)")


def _article(article: str, word: str) -> str:
    chosen = "an" if word[0].lower() in "aeiou" else "a"
    return chosen.capitalize() if article[0].isupper() else chosen


def _split(sentence: str, context: Context) -> list[str]:
    """At '; ', ', but ' or ', and <pronoun or article>' when both halves stand alone."""
    if '"' in sentence:
        return [sentence]
    for marker in ("; ", ", but ", ", and "):
        position = sentence.find(marker)
        if position < 0:
            continue
        head, tail = sentence[:position], sentence[position + len(marker):]
        if marker == ", and " and tail.split(" ", 1)[0].lower() not in _SPLITTERS:
            continue
        if len(head.split()) >= 6 and len(tail.split()) >= 6:
            tail = ("But " + tail) if marker == ", but " else _capital(tail)
            return [head.rstrip(",") + ".", tail]
    return [sentence]


def _mergeable(sentence: str) -> bool:
    return len(sentence.split()) < 18 and sentence.endswith(".") and '"' not in sentence


def _merge(first: str, second: str, rng: random.Random, context: Context) -> str:
    joiner = rng.choice(("; ", ", and "))
    return f"{first[:-1]}{joiner}{_lower_first(second, context)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str, context: Context) -> str:
    """Lower-case the first letter when the first word is a common word of the story (not a name)."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:2].islower() and first.lower() in context.common_words:
        return text[:1].lower() + text[1:]
    return text


def _same_case(replacement: str, original: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement
