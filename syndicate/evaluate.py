"""Score a scan against labels: pair precision/recall per kind of reuse, cluster agreement, threshold sweeps.

Labels (JSON, see README "Detection quality")::

    {"pairs": [{"a": ID, "b": ID, "label": "positive"|"negative",
                "subtype": "verbatim"|"edited"|"rewritten"|null, "tags": [STR...]}],
     "groups": [{"members": [ID...], "source": ID}]}

A labelled pair counts as *found* when the scan shows the two together: both members of one
cluster, or one a member of a cluster the other carries part of (a partial member: a digest
holding a story's top paragraphs). That is what a user of ``scan`` sees, whether or not the two
were linked directly. Cluster agreement is computed on the members alone (each article in one
cluster at most). ``tags`` and a group's
``source`` are optional: tags split recall further (the simulator tags each pair with the edits
it made), a source is checked against the cluster's probable source. A tag named in `KINDS` says
what kind of reuse a positive pair is (recall is reported per kind) or what a negative pair has
in common (its false-positive rate is reported per kind); negatives tagged ``hard-negative`` are
also left out of a second precision. A group's optional ``tags`` split source accuracy.

Where labels hold pairs of the short-text kinds (``short-*``, pairs written source -> text), the
ROC AUC of per-pair scores is reported too: how well the diff's kept share and plain word-3-gram
containment separate derived texts from independent ones (Mann-Whitney, computed with numpy).

The gold partition is the groups (articles in no group stand alone) or, without groups, the
connected components of the positive pairs. Cluster metrics are computed over every labelled
article, from the contingency table of gold group x predicted cluster: adjusted Rand index
(Hubert & Arabie 1985), B-cubed precision/recall (Bagga & Baldwin 1998) and pair-counting
precision/recall, which counts *every* pair of labelled articles, not only the listed ones.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .align import Alignment, align
from .article import Article
from .cluster import UnionFind
from .config import ScanConfig
from .errors import InputError
from .scan import ScanResult, scan
from .shingle import shingle_paragraphs

SUBTYPES = ("verbatim", "edited", "rewritten")
LABELS = ("positive", "negative")
HARD_NEGATIVE = "hard-negative"

POSITIVE_KINDS: dict[str, str] = {
    "copy": "the source republished, whole or edited (cuts, additions, respellings, captions, layout)",
    "teaser": "aggregator page: headline / outlet / headline / More / body or its first sentences as one paragraph",
    "teaser-short": "the first one to three paragraphs under a restyled headline",
    "excerpt-20-40": "20-40 % of the source's words, verbatim or lightly edited, inside a longer story",
    "excerpt-40-60": "40-60 % of the source's words, verbatim or lightly edited, inside a longer story",
    "excerpt": "part of the source inside a longer text (hand labels: share not measured)",
    "digest": "a roll-up or digest page carrying the source's paragraphs among other items",
    "paraphrase-light": "the source lightly reworded (words, numbers, an attribution moved)",
    "paraphrase-moderate": "the source reworded sentence by sentence, facts and order kept",
    "paraphrase-heavy": "the source heavily reworded and restructured, facts and order kept",
    "write-thru": "another version (write-thru, update) of the same agency or outlet story; the subtype says whether "
                  "its paragraphs were kept (edited) or reworded (rewritten)",
    "quote-heavy": "a copy of a source that is mostly a quoted statement",
    "sibling": "two copies of one source",
    "short-near": "short text cut from the source with minimal change",
    "short-light": "short text cut from the source, lightly reworded",
    "short-heavy": "short text cut from the source, heavily reworded",
}
NEGATIVE_KINDS: dict[str, str] = {
    "shares-quotes": "independent report quoting the same speech",
    "shares-tweets": "independent report embedding the same posts",
    "shares-instagram": "independent report embedding the same Instagram captions",
    "shares-transcript": "independent report printing the same interview or press-conference turns",
    "shares-caption": "pages sharing only a photo caption or a video blurb",
    "same-topic": "independent reports of the same event sharing no quoted material",
    "different-story": "different stories by the same agency or outlet",
    "aggregator": "a page of many snippets against one story",
    "short-independent": "short text on the same topic written from another story",
}
KINDS = {**POSITIVE_KINDS, **NEGATIVE_KINDS}
"""Kind tag -> what the pair is: the one place kinds are described (the simulator and hand labels use these)."""
SCORED_POSITIVE = ("short-near", "short-light", "short-heavy")
SCORED_NEGATIVE = ("short-independent",)

SWEEPS: dict[str, tuple[float, ...]] = {
    "copy_threshold": (0.3, 0.4, 0.5, 0.6, 0.7),
    "excerpt_threshold": (0.1, 0.15, 0.2, 0.3),
    "min_evidence_words": (10, 15, 20, 30),
    "excerpt_min_words": (15, 20, 25, 30, 40),
    "paraphrased": (0.4, 0.45, 0.5, 0.55, 0.6),
    "weak_paraphrased": (0.2, 0.25, 0.3, 0.35, 1.0),
    "rewrite_min_coverage": (0.2, 0.3, 0.4, 0.5),
    "rewrite_min_order": (0.5, 0.6, 0.7, 0.8, 0.9),
    "template_term_share": (0.005, 0.01, 0.02, 0.05, 1.0),
    "min_shared_terms": (2, 3, 4),
    "paragraph_threshold": (0.2, 0.3, 0.4, 0.5),
}
"""Operating knobs of ScanConfig a sweep varies, one at a time, and the values tried."""


@dataclass(frozen=True, slots=True)
class LabelledPair:
    a: str
    b: str
    positive: bool
    subtype: str | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    pairs: tuple[LabelledPair, ...]
    groups: tuple[tuple[str, ...], ...]
    sources: Mapping[int, str] = field(default_factory=dict)
    """Group index -> the group's known source article."""
    group_tags: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Group index -> the group's tags (optional), which split source accuracy."""
    origin: str = "<labels>"
    """Where the labels came from, for error messages."""

    def ids(self) -> set[str]:
        found = {member for group in self.groups for member in group}
        for pair in self.pairs:
            found.update((pair.a, pair.b))
        return found

    def gold_partition(self) -> dict[str, int]:
        """Group number per labelled article: the groups, or else the components of the positive pairs."""
        partition: dict[str, int] = {}
        if self.groups:
            for number, group in enumerate(self.groups):
                for member in group:
                    partition[member] = number
        else:
            forest = UnionFind()
            for pair in self.pairs:
                if pair.positive:
                    forest.union(pair.a, pair.b)
            roots: dict[str, int] = {}
            for member in sorted({m for p in self.pairs if p.positive for m in (p.a, p.b)}):
                partition[member] = roots.setdefault(forest.find(member), len(roots))
        alone = max(partition.values(), default=-1) + 1
        for member in sorted(self.ids() - partition.keys()):
            partition[member] = alone
            alone += 1
        return partition


def load_labels(path: str | Path) -> Labels:
    """Read and validate a labels file; every problem is an InputError naming the file."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(source, f"cannot read labels: {error.strerror or error}") from error
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(source, f"labels are not valid UTF-8 (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise InputError(source, f"malformed JSON: {error.msg}", error.lineno) from error
    return parse_labels(data, source)


def parse_labels(data: object, source: str = "<labels>") -> Labels:
    """Labels from already-parsed JSON, checked for shape and consistency."""
    if not isinstance(data, Mapping):
        raise InputError(source, f"labels must be a JSON object with 'pairs' and/or 'groups', "
                                 f"got {type(data).__name__}")
    raw_pairs = data.get("pairs", [])
    raw_groups = data.get("groups", [])
    if not isinstance(raw_pairs, list) or not isinstance(raw_groups, list):
        raise InputError(source, "'pairs' and 'groups' must be lists")
    if not raw_pairs and not raw_groups:
        raise InputError(source, "no labels: 'pairs' and 'groups' are both empty or missing")
    pairs = tuple(_parse_pair(item, source, number) for number, item in enumerate(raw_pairs))
    groups: list[tuple[str, ...]] = []
    sources: dict[int, str] = {}
    group_tags: dict[int, tuple[str, ...]] = {}
    seen: dict[str, int] = {}
    for number, item in enumerate(raw_groups):
        where = f"groups[{number}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("members"), list) or not item["members"]:
            raise InputError(source, f"{where}: expected an object with a non-empty 'members' list")
        members = tuple(_parse_id(m, source, f"{where}.members") for m in item["members"])
        for member in members:
            if member in seen:
                raise InputError(source, f"{where}: article {member!r} is already in groups[{seen[member]}]")
            seen[member] = number
        if item.get("source") is not None:
            chosen = _parse_id(item["source"], source, f"{where}.source")
            if chosen not in members:
                raise InputError(source, f"{where}: source {chosen!r} is not one of its members")
            sources[number] = chosen
        if "tags" in item:
            group_tags[number] = _parse_tags(item["tags"], source, where)
        groups.append(members)
    if groups:
        for number, pair in enumerate(pairs):
            same = pair.a in seen and pair.b in seen and seen[pair.a] == seen[pair.b]
            if pair.positive and not same:
                raise InputError(source, f"pairs[{number}]: positive pair {pair.a!r}/{pair.b!r} is not in one group")
            if not pair.positive and same:
                raise InputError(source, f"pairs[{number}]: negative pair {pair.a!r}/{pair.b!r} is in one group")
    return Labels(pairs=pairs, groups=tuple(groups), sources=sources, group_tags=group_tags, origin=source)


def _parse_id(value: object, source: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise InputError(source, f"{where}: article ids must be non-empty strings, got {value!r}")
    return str(value).strip()


def _parse_pair(item: object, source: str, number: int) -> LabelledPair:
    where = f"pairs[{number}]"
    if not isinstance(item, Mapping):
        raise InputError(source, f"{where}: expected an object with a, b, label")
    missing = [key for key in ("a", "b", "label") if key not in item]
    if missing:
        raise InputError(source, f"{where}: missing {', '.join(missing)}")
    a, b = _parse_id(item["a"], source, f"{where}.a"), _parse_id(item["b"], source, f"{where}.b")
    if a == b:
        raise InputError(source, f"{where}: pairs an article with itself ({a!r})")
    label = item["label"]
    if label not in LABELS:
        raise InputError(source, f"{where}: label must be 'positive' or 'negative', got {label!r}")
    subtype = item.get("subtype")
    if subtype is not None and subtype not in SUBTYPES:
        raise InputError(source, f"{where}: subtype must be one of {', '.join(SUBTYPES)} or null, got {subtype!r}")
    if label == "negative" and subtype is not None:
        raise InputError(source, f"{where}: a negative pair has no subtype (got {subtype!r})")
    tags = _parse_tags(item.get("tags", []), source, where)
    return LabelledPair(a=a, b=b, positive=label == "positive", subtype=subtype, tags=tags)


def _parse_tags(tags: object, source: str, where: str) -> tuple[str, ...]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError(source, f"{where}: tags must be a list of strings")
    return tuple(tags)


@dataclass(frozen=True, slots=True)
class PairCounts:
    """Confusion counts over labelled pairs; a pair is predicted positive when its articles share a cluster."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted positive (undefined, not perfect)."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """None when there is no positive pair to find."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    def add(self, positive: bool, found: bool) -> PairCounts:
        return PairCounts(tp=self.tp + (positive and found), fp=self.fp + (not positive and found),
                          fn=self.fn + (positive and not found), tn=self.tn + (not positive and not found))

    def to_dict(self) -> dict:
        return {"precision": _round(self.precision), "recall": _round(self.recall), "f1": _round(self.f1),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn}


@dataclass(frozen=True)
class ClusterScores:
    ari: float
    bcubed_precision: float
    bcubed_recall: float
    pair_precision: float | None
    """Of all pairs of labelled articles put in one cluster, the share that are in one gold group."""
    pair_recall: float | None
    articles: int

    @property
    def bcubed_f1(self) -> float | None:
        return _f1(self.bcubed_precision, self.bcubed_recall)

    def to_dict(self) -> dict:
        return {"ari": _round(self.ari), "bcubed_f1": _round(self.bcubed_f1),
                "bcubed_precision": _round(self.bcubed_precision), "bcubed_recall": _round(self.bcubed_recall),
                "pair_precision": _round(self.pair_precision), "pair_recall": _round(self.pair_recall),
                "articles": self.articles}


@dataclass(frozen=True)
class Evaluation:
    pairs: PairCounts
    by_subtype: dict[str, PairCounts]
    by_tag: dict[str, PairCounts]
    link_kinds: dict[str, dict[str, int]]
    """Per positive subtype: how its pairs were linked directly ('copy', 'rewrite', 'cluster' = only via others,
    'missed')."""
    clusters: ClusterScores
    sources_correct: int
    sources_known: int
    errors: list[dict] = field(default_factory=list)
    """The wrongly judged labelled pairs (false positives, then false negatives)."""
    without_hard_negatives: PairCounts = field(default_factory=PairCounts)
    """The pairs again, leaving out negatives tagged hard-negative."""
    kind_links: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per kind tag present: how its pairs were linked (link kinds, 'cluster', 'missed' or 'apart')."""
    sources_by_tag: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per group tag: (sources right, sources known)."""
    separation: dict | None = None
    """ROC AUC of per-pair scores on the short-text pairs (see `separation`), when there are any."""

    @property
    def by_kind(self) -> dict[str, PairCounts]:
        """The kind tags present, in the order of KINDS."""
        return {kind: self.by_tag[kind] for kind in KINDS if kind in self.by_tag}

    def to_dict(self) -> dict:
        pairs = self.pairs.to_dict()
        pairs["precision_without_hard_negatives"] = _round(self.without_hard_negatives.precision)
        pairs["by_subtype"] = {name: counts.to_dict() for name, counts in self.by_subtype.items()}
        pairs["by_tag"] = {name: counts.to_dict() for name, counts in sorted(self.by_tag.items())}
        pairs["link_kinds"] = self.link_kinds
        kinds = {}
        for kind, counts in self.by_kind.items():
            row = {"pairs": counts.tp + counts.fp + counts.fn + counts.tn, "linked_as": self.kind_links.get(kind, {})}
            if kind in POSITIVE_KINDS:
                row.update(recall=_round(counts.recall), found=counts.tp)
            else:
                row.update(false_positive_rate=_round(_ratio(counts.fp, counts.fp + counts.tn)),
                           wrongly_clustered=counts.fp)
            kinds[kind] = row
        return {
            "pairs": pairs,
            "kinds": kinds,
            "clusters": self.clusters.to_dict(),
            "sources": {"correct": self.sources_correct, "known": self.sources_known,
                        "by_group_tag": {tag: {"correct": right, "known": known}
                                         for tag, (right, known) in sorted(self.sources_by_tag.items())}},
            "separation": self.separation,
            "errors": self.errors,
        }


def evaluate(result: ScanResult, labels: Labels, archive_ids: Iterable[str] | None = None,
             articles: Iterable[Article] | None = None) -> Evaluation:
    """Score one scan against the labels. `archive_ids`, if given, must contain every labelled article.

    With `articles` (the archive), the short-text pairs are also scored for `separation`.
    """
    if articles is not None:
        articles = list(articles)
        archive_ids = [a.id for a in articles]
    if archive_ids is not None:
        missing = sorted(labels.ids() - set(archive_ids))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise InputError(labels.origin, f"{len(missing)} labelled article(s) not in the archive: {shown}")
    cluster_of = predicted_partition(result)
    carries = partial_memberships(result)
    direct = {frozenset((link.a, link.b)): link.kind for cluster in result.clusters for link in cluster.links}
    overall = without_hard = PairCounts()
    by_subtype = {name: PairCounts() for name in SUBTYPES}
    kind_links: dict[str, Counter] = defaultdict(Counter)
    by_tag: dict[str, PairCounts] = defaultdict(PairCounts)
    link_kinds: dict[str, Counter] = {name: Counter() for name in SUBTYPES}
    false_positives, false_negatives = [], []
    for pair in labels.pairs:
        found = shown_together(pair.a, pair.b, cluster_of, carries)
        overall = overall.add(pair.positive, found)
        if HARD_NEGATIVE not in pair.tags:
            without_hard = without_hard.add(pair.positive, found)
        linked = direct.get(frozenset((pair.a, pair.b)), "cluster" if found else "missed" if pair.positive else "apart")
        if pair.subtype is not None:
            by_subtype[pair.subtype] = by_subtype[pair.subtype].add(pair.positive, found)
            link_kinds[pair.subtype][linked] += 1
        for tag in pair.tags:
            if tag in KINDS:
                kind_links[tag][linked] += 1
        for tag in pair.tags:
            by_tag[tag] = by_tag[tag].add(pair.positive, found)
        if found != pair.positive:
            record = {"a": pair.a, "b": pair.b, "label": "positive" if pair.positive else "negative",
                      "subtype": pair.subtype, "tags": list(pair.tags)}
            (false_negatives if pair.positive else false_positives).append(record)
    gold = labels.gold_partition()
    members = sorted(gold)
    # Unclustered articles are singletons: give each its own negative cluster number.
    predicted = [cluster_of.get(m, -1 - i) for i, m in enumerate(members)]
    truth = [gold[m] for m in members]
    sources_known = sources_correct = 0
    sources_by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    source_of = {m: c.source for c in result.clusters for m in c.members}
    for number, source in labels.sources.items():
        group = labels.groups[number]
        right = all(source_of.get(m) == source for m in group if m in cluster_of) and source in source_of
        sources_known += 1
        sources_correct += right
        for tag in labels.group_tags.get(number, ()):
            sources_by_tag[tag][0] += right
            sources_by_tag[tag][1] += 1
    return Evaluation(
        pairs=overall,
        by_subtype=by_subtype,
        by_tag=dict(by_tag),
        link_kinds={name: dict(counts) for name, counts in link_kinds.items()},
        clusters=cluster_scores(truth, predicted),
        sources_correct=sources_correct,
        sources_known=sources_known,
        errors=false_positives + false_negatives,
        without_hard_negatives=without_hard,
        kind_links={kind: dict(counts) for kind, counts in kind_links.items()},
        sources_by_tag={tag: (right, known) for tag, (right, known) in sources_by_tag.items()},
        separation=separation(articles, labels) if articles is not None else None,
    )


def predicted_partition(result: ScanResult) -> dict[str, int]:
    """Cluster id per clustered article (unclustered articles are absent)."""
    return {member: cluster.id for cluster in result.clusters for member in cluster.members}


def partial_memberships(result: ScanResult) -> dict[str, set[int]]:
    """Per article: the clusters it is a partial member of."""
    found: dict[str, set[int]] = defaultdict(set)
    for cluster in result.clusters:
        for article in cluster.partial:
            found[article].add(cluster.id)
    return found


def shown_together(a: str, b: str, cluster_of: Mapping[str, int], carries: Mapping[str, set[int]]) -> bool:
    """Both members of one cluster, or one a member of a cluster the other is a partial member of."""
    if a in cluster_of and cluster_of.get(a) == cluster_of.get(b):
        return True
    return (a in cluster_of and cluster_of[a] in carries.get(b, ())) or (
        b in cluster_of and cluster_of[b] in carries.get(a, ()))


def contingency(truth: Sequence[int], predicted: Sequence[int]) -> np.ndarray:
    """Counts of items per (gold group, predicted cluster)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted must label the same items")
    _, gold_index = np.unique(np.asarray(truth), return_inverse=True)
    _, pred_index = np.unique(np.asarray(predicted), return_inverse=True)
    table = np.zeros((gold_index.max(initial=-1) + 1, pred_index.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(table, (gold_index, pred_index), 1)
    return table


def adjusted_rand_index(truth: Sequence[int], predicted: Sequence[int]) -> float:
    """ARI from the contingency table: 1 for identical partitions, about 0 for chance agreement."""
    table = contingency(truth, predicted)
    n = int(table.sum())
    if n < 2:
        return 1.0
    index = _pairs(table).sum()
    rows, columns = _pairs(table.sum(axis=1)).sum(), _pairs(table.sum(axis=0)).sum()
    expected = rows * columns / math.comb(n, 2)
    maximum = (rows + columns) / 2
    if maximum == expected:  # both partitions trivial (all singletons or one block) and identical
        return 1.0
    return float((index - expected) / (maximum - expected))


def bcubed(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    """B-cubed (precision, recall): per item, the share of its predicted cluster in its gold group and back."""
    table = contingency(truth, predicted).astype(float)
    n = table.sum()
    if n == 0:
        return 1.0, 1.0
    cluster_sizes, group_sizes = table.sum(axis=0), table.sum(axis=1)
    precision = float((table**2 / cluster_sizes[None, :]).sum() / n)
    recall = float((table**2 / group_sizes[:, None]).sum() / n)
    return precision, recall


def cluster_scores(truth: Sequence[int], predicted: Sequence[int]) -> ClusterScores:
    table = contingency(truth, predicted)
    together = _pairs(table).sum()
    precision, recall = bcubed(truth, predicted)
    return ClusterScores(
        ari=adjusted_rand_index(truth, predicted),
        bcubed_precision=precision,
        bcubed_recall=recall,
        pair_precision=_ratio(together, _pairs(table.sum(axis=0)).sum()),
        pair_recall=_ratio(together, _pairs(table.sum(axis=1)).sum()),
        articles=len(truth),
    )


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties count half): Mann-Whitney U."""
    if not len(positive) or not len(negative):
        return None
    scores = np.concatenate([np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)])
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    ranks = (upper - (counts - 1) / 2)[inverse]  # average 1-based rank of each tied value
    n_pos, n_neg = len(positive), len(negative)
    u = ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def kept_shares(alignment: Alignment) -> tuple[float, float]:
    """(share of the source's words the diff keeps, share of the text's words that are kept source words).

    The one place evaluation reads the alignment's shares, so that a change of the alignment's
    summary is a change here only.
    """
    summary = alignment.summary
    return summary.source_reused, _ratio(summary.kept_words, summary.copy_words) or 0.0


def word3_containment(source: Article, text: Article) -> float:
    """Share of the text's word 3-grams that are also in the source (the reference score)."""
    inside = set(shingle_paragraphs(text.paragraphs, n=3).values.tolist())
    if not inside:
        return 0.0
    return len(inside & set(shingle_paragraphs(source.paragraphs, n=3).values.tolist())) / len(inside)


SCORES = ("diff_source_kept", "diff_text_kept", "word3_containment")
"""diff_source_kept: syndicate.align's summary.source_reused (the diff's kept share); diff_text_kept: kept words over
the text's words; word3_containment: share of the text's word 3-grams found in the source."""


def separation(articles: Iterable[Article], labels: Labels) -> dict | None:
    """ROC AUC of each score in SCORES, derived (short-near/light/heavy) against independent short texts.

    Each scored pair is read source -> text: `a` is the source unless `b` is its group's known source.
    Overall and per revision level; None when the labels hold no scored pair of both classes.
    """
    scored = [p for p in labels.pairs if set(p.tags) & {*SCORED_POSITIVE, *SCORED_NEGATIVE}]
    if not any(p.positive for p in scored) or all(p.positive for p in scored):
        return None
    by_id = {a.id: a for a in articles}
    known_sources = set(labels.sources.values())
    values: dict[str, dict[str, list[float]]] = {score: defaultdict(list) for score in SCORES}
    for pair in scored:
        source, text = (pair.b, pair.a) if pair.b in known_sources and pair.a not in known_sources else (pair.a, pair.b)
        kept_source, kept_text = kept_shares(align(by_id[source], by_id[text]))
        row = {"diff_source_kept": kept_source, "diff_text_kept": kept_text,
               "word3_containment": word3_containment(by_id[source], by_id[text])}
        kind = next(t for t in pair.tags if t in (*SCORED_POSITIVE, *SCORED_NEGATIVE))
        for score in SCORES:
            values[score][kind].append(row[score])
    report: dict = {"pairs": {kind: len(v) for kind, v in values[SCORES[0]].items()}, "auc": {}}
    for score in SCORES:
        negatives = [v for kind in SCORED_NEGATIVE for v in values[score].get(kind, [])]
        positives = [v for kind in SCORED_POSITIVE for v in values[score].get(kind, [])]
        report["auc"][score] = {"all": _round(roc_auc(positives, negatives)),
                                **{kind: _round(roc_auc(values[score].get(kind, []), negatives))
                                   for kind in SCORED_POSITIVE if values[score].get(kind)}}
    return report


@dataclass(frozen=True)
class SweepPoint:
    knob: str
    value: float
    evaluation: Evaluation
    is_default: bool

    def to_dict(self) -> dict:
        scores = self.evaluation
        return {"knob": self.knob, "value": self.value, "default": self.is_default,
                "precision": _round(scores.pairs.precision), "recall": _round(scores.pairs.recall),
                "f1": _round(scores.pairs.f1),
                **{f"recall_{name}": _round(scores.by_subtype[name].recall) for name in SUBTYPES},
                "ari": _round(scores.clusters.ari), "bcubed_f1": _round(scores.clusters.bcubed_f1),
                "pair_precision": _round(scores.clusters.pair_precision)}


def sweep(articles: Sequence[Article], labels: Labels, knobs: Iterable[str] = ("copy_threshold",),
          base: ScanConfig | None = None, values: Mapping[str, Sequence[float]] | None = None) -> list[SweepPoint]:
    """Re-run detection with one knob at a time moved over its values, the others at `base`."""
    base = base or ScanConfig()
    values = values or SWEEPS
    points = []
    for knob in knobs:
        if knob not in values:
            raise ValueError(f"cannot sweep {knob!r}; choose from {', '.join(values)}")
        default = getattr(base, knob)
        tried = sorted(set(values[knob]) | {default})
        for value in tried:
            cast = type(default)(value)
            config = replace(base, **{knob: cast})
            evaluation = evaluate(scan(articles, config), labels)
            points.append(SweepPoint(knob=knob, value=cast, evaluation=evaluation, is_default=cast == default))
    return points


def _pairs(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.int64)
    return counts * (counts - 1) // 2


def _ratio(part: float, whole: float) -> float | None:
    """part/whole, or None when there is nothing to count."""
    return float(part / whole) if whole else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
