"""Score a scan against labels: pair precision/recall per kind of reuse, cluster agreement, threshold sweeps.

Labels (JSON, see README "Detection quality")::

    {"pairs": [{"a": ID, "b": ID, "label": "positive"|"negative",
                "subtype": "verbatim"|"edited"|"rewritten"|null, "tags": [STR...]}],
     "groups": [{"members": [ID...], "source": ID}]}

A labelled pair counts as *found* when both articles end in the same cluster (that is what a
user of ``scan`` sees, whether or not the two were linked directly). ``tags`` and a group's
``source`` are optional: tags split recall further (the simulator tags each pair with the edits
it made), a source is checked against the cluster's probable source.

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

from .article import Article
from .cluster import UnionFind
from .config import ScanConfig
from .errors import InputError
from .scan import ScanResult, scan

SUBTYPES = ("verbatim", "edited", "rewritten")
LABELS = ("positive", "negative")

SWEEPS: dict[str, tuple[float, ...]] = {
    "copy_threshold": (0.3, 0.4, 0.5, 0.6, 0.7),
    "excerpt_threshold": (0.1, 0.15, 0.2, 0.3),
    "min_evidence_words": (10, 15, 20, 30),
    "excerpt_min_words": (15, 20, 25, 30, 40),
    "paraphrased": (0.4, 0.45, 0.5, 0.55, 0.6),
    "weak_paraphrased": (0.2, 0.25, 0.3, 0.35, 1.0),
    "rewrite_min_coverage": (0.2, 0.3, 0.4, 0.5),
    "rewrite_min_order": (0.5, 0.6, 0.7, 0.8, 0.9),
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
        groups.append(members)
    if groups:
        for number, pair in enumerate(pairs):
            same = pair.a in seen and pair.b in seen and seen[pair.a] == seen[pair.b]
            if pair.positive and not same:
                raise InputError(source, f"pairs[{number}]: positive pair {pair.a!r}/{pair.b!r} is not in one group")
            if not pair.positive and same:
                raise InputError(source, f"pairs[{number}]: negative pair {pair.a!r}/{pair.b!r} is in one group")
    return Labels(pairs=pairs, groups=tuple(groups), sources=sources, origin=source)


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
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InputError(source, f"{where}: tags must be a list of strings")
    return LabelledPair(a=a, b=b, positive=label == "positive", subtype=subtype, tags=tuple(tags))


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

    def to_dict(self) -> dict:
        pairs = self.pairs.to_dict()
        pairs["by_subtype"] = {name: counts.to_dict() for name, counts in self.by_subtype.items()}
        pairs["by_tag"] = {name: counts.to_dict() for name, counts in sorted(self.by_tag.items())}
        pairs["link_kinds"] = self.link_kinds
        return {
            "pairs": pairs,
            "clusters": self.clusters.to_dict(),
            "sources": {"correct": self.sources_correct, "known": self.sources_known},
            "errors": self.errors,
        }


def evaluate(result: ScanResult, labels: Labels, archive_ids: Iterable[str] | None = None) -> Evaluation:
    """Score one scan against the labels. `archive_ids`, if given, must contain every labelled article."""
    if archive_ids is not None:
        missing = sorted(labels.ids() - set(archive_ids))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise InputError(labels.origin, f"{len(missing)} labelled article(s) not in the archive: {shown}")
    cluster_of = predicted_partition(result)
    direct = {frozenset((link.a, link.b)): link.kind for cluster in result.clusters for link in cluster.links}
    overall = PairCounts()
    by_subtype = {name: PairCounts() for name in SUBTYPES}
    by_tag: dict[str, PairCounts] = defaultdict(PairCounts)
    link_kinds: dict[str, Counter] = {name: Counter() for name in SUBTYPES}
    false_positives, false_negatives = [], []
    for pair in labels.pairs:
        found = pair.a in cluster_of and cluster_of.get(pair.a) == cluster_of.get(pair.b)
        overall = overall.add(pair.positive, found)
        if pair.subtype is not None:
            by_subtype[pair.subtype] = by_subtype[pair.subtype].add(pair.positive, found)
            kind = direct.get(frozenset((pair.a, pair.b)), "cluster" if found else "missed")
            link_kinds[pair.subtype][kind] += 1
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
    source_of = {m: c.source for c in result.clusters for m in c.members}
    for number, source in labels.sources.items():
        sources_known += 1
        group = labels.groups[number]
        sources_correct += all(source_of.get(m) == source for m in group if m in cluster_of) and source in source_of
    return Evaluation(
        pairs=overall,
        by_subtype=by_subtype,
        by_tag=dict(by_tag),
        link_kinds={name: dict(counts) for name, counts in link_kinds.items()},
        clusters=cluster_scores(truth, predicted),
        sources_correct=sources_correct,
        sources_known=sources_known,
        errors=false_positives + false_negatives,
    )


def predicted_partition(result: ScanResult) -> dict[str, int]:
    """Cluster id per clustered article (unclustered articles are absent)."""
    return {member: cluster.id for cluster in result.clusters for member in cluster.members}


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
