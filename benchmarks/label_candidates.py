"""Draw candidate pairs for hand labelling from a real archive, by several signals, and show a pair to read.

    python benchmarks/label_candidates.py CSV [--per-signal 40]     # candidate pairs, ids and numbers only
    python benchmarks/label_candidates.py CSV --show A B             # both articles, paragraph by paragraph

Candidates are drawn by signals that do not depend on the detector being measured, plus the
detector's own links and near misses, so that a sample is not shaped around today's scan:

* ``teaser-layout``: pages laid out as aggregator teasers (a line ending in "•" or a "More" line
  among the first five), each with the article whose words cover most of its body;
* ``rare-words``: pairs sharing the most rare words (in at most 5 articles), weighted by rarity;
* ``shared-quotes``: pairs of different outlets printing two or more of the same quoted spans
  (text in straight or typographic quotes, 6 words or more); ``cross-credit-quotes``: the same,
  between articles with different agency credits (or one credited and one not), where
  independent reports quoting the same tweets, statements or transcripts are to be found;
* ``outlet-family``: pairs from one outlet (or one aggregator) sharing rare words: updates and write-thrus;
* ``partial-runs``: pairs where 15-60 % of the smaller article (150 words or more) lies in runs of
  8 or more words it shares with the other (candidate excerpts);
* ``transcript-runs``: pages printing a transcript (5 or more turns "NAME: ...", one name at least
  twice, names in capitals) against every article sharing 25 or more words with them in runs of 8 or more;
* ``linked`` / ``near-miss``: pairs today's scan links, and unlinked pairs whose word-3-gram
  containment (of the smaller in the larger) is 0.15 or more.

``--show`` prints article text to the terminal for reading; nothing it prints is to be committed
(the archives are copyrighted: labels hold ids and reasons only).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syndicate import ReaderOptions, read_articles, scan
from syndicate.article import Article
from syndicate.credit import agency_credit
from syndicate.normalise import normalise, words
from syndicate.shingle import shingle_paragraphs

_QUOTE = re.compile(r"[\"\u201c\u00ab\u201e]([^\"\u201c\u201d\u00ab\u00bb\u201e]{25,400})[\"\u201d\u00bb\u201c]")


def _grams(article: Article) -> set[int]:
    return set(shingle_paragraphs(article.paragraphs, n=3).values.tolist())


def containment(a: set[int], b: set[int]) -> float:
    """Share of the smaller set inside the larger."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


_TURN = re.compile(r"^([A-Z][A-Z.']+(?: [A-Z][A-Z.']+)?)\s?:\s")  # 'CHUCK TODD: ', not 'Photo: '
RUN = 8


def shared_runs(words_a: list[str], grams_b: set[tuple[str, ...]]) -> int:
    """How many of a's words lie in runs of RUN or more words that b also has."""
    covered = [False] * len(words_a)
    for start in range(len(words_a) - RUN + 1):
        if tuple(words_a[start : start + RUN]) in grams_b:
            covered[start : start + RUN] = [True] * RUN
    return sum(covered)


def _turns(article: Article) -> int:
    """Transcript turns: paragraphs opening 'NAME: ' for a name that opens two or more of them."""
    speakers = Counter(match[1] for match in map(_TURN.match, article.paragraphs) if match)
    return sum(count for count in speakers.values() if count >= 2)


def _run_signals(articles: list[Article], per_signal: int) -> list[tuple[str, str, str, float]]:
    words_of = {a.id: words(" ".join(a.paragraphs)) for a in articles}
    grams = {i: {tuple(w[k : k + RUN]) for k in range(len(w) - RUN + 1)} for i, w in words_of.items()}
    holders: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for article_id, own in grams.items():
        for gram in own:
            holders[gram].append(article_id)
    sharing: Counter = Counter()
    for ids in holders.values():
        if 2 <= len(ids) <= 6:  # a run in more pages is furniture
            for a, b in combinations(sorted(ids), 2):
                sharing[(a, b)] += 1
    rows = []
    partial = []
    for (a, b), count in sharing.items():
        if count < 5:
            continue
        small, large = sorted((a, b), key=lambda i: (len(words_of[i]), i))
        if len(words_of[small]) >= 150:
            share = shared_runs(words_of[small], grams[large]) / len(words_of[small])
            if 0.15 <= share <= 0.6:
                partial.append((share, small, large))
    partial.sort(reverse=True)
    rows.extend(("partial-runs", small, large, share) for share, small, large in partial[:per_signal])
    transcripts = [a.id for a in articles if _turns(a) >= 5]
    for page in transcripts:
        found = sorted(((shared_runs(words_of[o], grams[page]), o) for o in words_of if o != page), reverse=True)
        rows.extend(("transcript-runs", o, page, float(n)) for n, o in found[:per_signal] if n >= 25)
    return rows


def candidates(articles: list[Article], per_signal: int) -> list[tuple[str, str, str, float, str]]:
    """(signal, a, b, strength, today's link) rows, strongest first within each signal."""
    by_id = {a.id: a for a in articles}
    grams = {a.id: _grams(a) for a in articles}
    vocab = {a.id: set(words(" ".join(a.paragraphs))) for a in articles}
    df = Counter(w for v in vocab.values() for w in v)
    rare: dict[str, list[str]] = defaultdict(list)
    for article_id, v in vocab.items():
        for word in v:
            if 2 <= df[word] <= 5 and len(word) > 3 and not word.isdigit():
                rare[word].append(article_id)
    weight: Counter = Counter()
    for word, holders in rare.items():
        for a, b in combinations(sorted(holders), 2):
            weight[(a, b)] += math.log(len(articles) / df[word])
    result = scan(articles)
    links = {frozenset((link.a, link.b)): link.kind for c in result.clusters for link in c.links}
    cluster_of = {m: c.id for c in result.clusters for m in c.members}

    def verdict(a: str, b: str) -> str:
        return links.get(frozenset((a, b))) or ("cluster" if a in cluster_of and cluster_of.get(a) ==
                                                cluster_of.get(b) else "none")

    rows: list[tuple[str, str, str, float, str]] = []
    teasers = [a for a in articles if any(p.endswith("\u2022") or p == "More" for p in a.paragraphs[:5])]
    for page in teasers:
        best = max((o for o in articles if o.id != page.id and o.outlet != page.outlet),
                   key=lambda o: (containment(grams[page.id], grams[o.id]), o.id), default=None)
        if best is not None:
            rows.append(("teaser-layout", page.id, best.id, containment(grams[page.id], grams[best.id]),
                         verdict(page.id, best.id)))
    rows.extend(("rare-words", a, b, w, verdict(a, b)) for (a, b), w in weight.most_common(per_signal))
    quotes = {a.id: {normalise(m.group(1)) for p in a.paragraphs for m in _QUOTE.finditer(p)
                     if len(m.group(1).split()) >= 6} for a in articles}
    holders: dict[str, list[str]] = defaultdict(list)
    for article_id, spans in quotes.items():
        for span in spans:
            holders[span].append(article_id)
    shared: Counter = Counter()
    for ids in holders.values():
        for a, b in combinations(sorted(ids), 2):
            if by_id[a].outlet != by_id[b].outlet:
                shared[(a, b)] += 1
    rows.extend(("shared-quotes", a, b, n, verdict(a, b)) for (a, b), n in shared.most_common(per_signal) if n >= 2)
    credit = {a.id: agency_credit(a.paragraphs) for a in articles}
    crossing = [(pair, n) for pair, n in shared.most_common() if n >= 2 and credit[pair[0]] != credit[pair[1]]]
    rows.extend(("cross-credit-quotes", a, b, n, verdict(a, b)) for (a, b), n in crossing[:per_signal])
    family = [((a, b), w) for (a, b), w in weight.items() if by_id[a].outlet == by_id[b].outlet]
    family.sort(key=lambda item: -item[1])
    rows.extend(("outlet-family", a, b, w, verdict(a, b)) for (a, b), w in family[:per_signal])
    linked = sorted(links, key=sorted)
    rows.extend(("linked", *sorted(pair), 0.0, links[pair]) for pair in linked[:: max(1, len(linked) // per_signal)])
    near = []
    for (a, b), _ in weight.most_common(20 * per_signal):
        if frozenset((a, b)) not in links:
            value = containment(grams[a], grams[b])
            if value >= 0.15:
                near.append((a, b, value))
    near.sort(key=lambda row: -row[2])
    rows.extend(("near-miss", a, b, v, verdict(a, b)) for a, b, v in near[:per_signal])
    rows.extend((signal, a, b, v, verdict(a, b)) for signal, a, b, v in _run_signals(articles, per_signal))
    return rows


def show(articles: list[Article], a: str, b: str) -> None:
    by_id = {x.id: x for x in articles}
    for article_id in (a, b):
        article = by_id[article_id]
        print(f"===== {article.id} {article.outlet} {article.date} ({len(article.paragraphs)} paragraphs)")
        for number, paragraph in enumerate(article.paragraphs):
            print(f"  {number:3d}| {paragraph}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--per-signal", type=int, default=40)
    parser.add_argument("--show", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    articles = list(read_articles([args.csv], ReaderOptions(paragraph_sep=" ### ")))
    if args.show:
        show(articles, *args.show)
        return
    by_id = {a.id: a for a in articles}
    for signal, a, b, value, linked in candidates(articles, args.per_signal):
        print(f"{signal}\t{a}\t{b}\t{by_id[a].outlet}\t{by_id[b].outlet}\t{value:.3f}\t{linked}")


if __name__ == "__main__":
    main()
