"""Metrics against hand-computed values, label validation, and eval on the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from syndicate import InputError, read_articles, scan
from syndicate.align import align
from syndicate.cli import app
from syndicate.evaluate import (
    HARD_NEGATIVE,
    KINDS,
    POSITIVE_KINDS,
    SCORES,
    Labels,
    adjusted_rand_index,
    bcubed,
    cluster_scores,
    evaluate,
    kept_shares,
    load_labels,
    parse_labels,
    roc_auc,
    sweep,
    word3_containment,
)


def test_ari_matches_hand_computation() -> None:
    # Contingency [[2, 1], [0, 2]]: index 2, rows 3+1, columns 1+3, n=5 -> (2 - 1.6) / (4 - 1.6).
    assert adjusted_rand_index([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]) == pytest.approx(0.4 / 2.4)


def test_ari_is_one_for_identical_and_negative_for_crossed_partitions() -> None:
    assert adjusted_rand_index([5, 5, 7, 7], [1, 1, 0, 0]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) < 0


@given(st.lists(st.integers(0, 4), min_size=2, max_size=30), st.randoms(use_true_random=False))
def test_ari_is_symmetric_and_invariant_to_relabelling(truth: list[int], rnd) -> None:
    predicted = [rnd.randint(0, 3) for _ in truth]
    renamed = [{0: 9, 1: 3, 2: 7, 3: 1}[p] for p in predicted]
    assert adjusted_rand_index(truth, predicted) == pytest.approx(adjusted_rand_index(predicted, truth))
    assert adjusted_rand_index(truth, predicted) == pytest.approx(adjusted_rand_index(truth, renamed))


def test_bcubed_matches_hand_computation() -> None:
    # Items a,b,c gold together, d alone; predicted {a,b} {c,d}.
    precision, recall = bcubed([0, 0, 0, 1], [0, 0, 1, 1])
    assert precision == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    assert recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)


def test_pair_counting_precision_counts_every_pair() -> None:
    scores = cluster_scores([0, 0, 1, 1], [0, 0, 0, 0])  # one predicted block: 6 pairs, 2 of them right
    assert scores.pair_precision == pytest.approx(2 / 6)
    assert scores.pair_recall == 1.0


def _labels(**extra) -> dict:
    return {"pairs": [{"a": "x", "b": "y", "label": "positive", "subtype": "edited"}], **extra}


@pytest.mark.parametrize(("data", "message"), [
    ([], "JSON object"),
    ({"pairs": []}, "no labels"),
    ({"pairs": [{"a": "x", "b": "y"}]}, "missing label"),
    ({"pairs": [{"a": "x", "b": "x", "label": "positive"}]}, "with itself"),
    ({"pairs": [{"a": "x", "b": "y", "label": "yes"}]}, "positive' or 'negative"),
    ({"pairs": [{"a": "x", "b": "y", "label": "positive", "subtype": "copied"}]}, "subtype must be"),
    ({"pairs": [{"a": "x", "b": "y", "label": "negative", "subtype": "edited"}]}, "no subtype"),
    (_labels(groups=[{"members": ["x"]}, {"members": ["y"]}]), "not in one group"),
    (_labels(groups=[{"members": ["x", "y"]}, {"members": ["y"]}]), "already in groups[0]"),
    (_labels(groups=[{"members": ["x", "y"], "source": "z"}]), "not one of its members"),
])  # fmt: skip
def test_bad_labels_are_rejected_with_the_file_named(data: object, message: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_labels(data, "my-labels.json")
    assert "my-labels.json" in str(raised.value) and message in str(raised.value)


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text('{"pairs": [\n  {"a": 1,}\n]}')
    with pytest.raises(InputError, match=r"labels\.json:2: malformed JSON"):
        load_labels(path)


def test_gold_partition_without_groups_joins_positive_pairs() -> None:
    labels = parse_labels({"pairs": [{"a": "a", "b": "b", "label": "positive"},
                                     {"a": "b", "b": "c", "label": "positive"},
                                     {"a": "c", "b": "d", "label": "negative"}]})
    gold = labels.gold_partition()
    assert gold["a"] == gold["b"] == gold["c"] != gold["d"]


def test_seeds_are_scored_perfectly() -> None:
    articles = list(read_articles([SEEDS]))
    labels = load_labels(SEEDS / "labels.json")
    evaluation = evaluate(scan(articles), labels, archive_ids=[a.id for a in articles])
    assert (evaluation.pairs.tp, evaluation.pairs.fp, evaluation.pairs.fn, evaluation.pairs.tn) == (3, 0, 0, 7)
    assert evaluation.by_subtype["rewritten"].recall == 1.0
    assert evaluation.link_kinds["rewritten"] == {"rewrite": 2}
    assert evaluation.clusters.ari == 1.0 and evaluation.clusters.bcubed_f1 == 1.0
    assert (evaluation.sources_correct, evaluation.sources_known) == (1, 1)


def test_a_missed_pair_and_a_wrong_link_are_counted() -> None:
    articles = list(read_articles([SEEDS]))
    labels = Labels(pairs=tuple(parse_labels({"pairs": [
        {"a": "000_8ada7a739096a9c5", "b": "004_803d6f5bea246b18", "label": "positive", "subtype": "edited"},
        {"a": "002_a03570c17a29d6cf", "b": "003_17a6059d906b2d12", "label": "negative"},
    ]}).pairs), groups=())
    evaluation = evaluate(scan(articles), labels)
    assert (evaluation.pairs.tp, evaluation.pairs.fp, evaluation.pairs.fn) == (0, 1, 1)
    assert evaluation.pairs.precision == 0.0 and evaluation.by_subtype["edited"].recall == 0.0
    assert evaluation.by_subtype["verbatim"].recall is None  # nothing to find is not perfect recall
    assert {e["label"] for e in evaluation.errors} == {"positive", "negative"}


def test_labels_naming_unknown_articles_are_an_error() -> None:
    articles = list(read_articles([SEEDS]))
    labels = parse_labels(_labels(), "l.json")
    with pytest.raises(InputError, match=r"l\.json: 2 labelled article"):
        evaluate(scan(articles), labels, archive_ids=[a.id for a in articles])


def test_sweep_marks_the_default_and_moves_the_verdict() -> None:
    articles = list(read_articles([SEEDS]))
    labels = load_labels(SEEDS / "labels.json")
    points = sweep(articles, labels, ["min_evidence_words"], values={"min_evidence_words": (15, 250)})
    assert [(p.value, p.is_default) for p in points] == [(15, True), (250, False)]
    # Demanding 250 aligned words outside quotes loses the rewrite (234 words) and keeps the copy (271).
    assert points[0].evaluation.by_subtype["rewritten"].recall == 1.0
    assert points[1].evaluation.by_subtype["rewritten"].recall == 0.0
    assert points[1].evaluation.by_subtype["edited"].recall == 1.0


def test_cli_eval_json_has_the_documented_shape() -> None:
    result = CliRunner().invoke(app, ["eval", str(SEEDS), "--labels", str(SEEDS / "labels.json"), "--format", "json",
                                      "--sweep", "none"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pairs"]["f1"] == 1.0 and data["pairs"]["by_subtype"]["rewritten"]["recall"] == 1.0
    assert data["clusters"]["ari"] == 1.0 and data["clusters"]["bcubed_f1"] == 1.0


def test_cli_eval_table_and_bad_labels_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["eval", str(SEEDS), "--labels", str(SEEDS / "labels.json")])
    assert table.exit_code == 0 and "Sweep: copy_threshold" in table.stdout and "rewritten" in table.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"pairs": [{"a": "x", "b": "y", "label": "maybe"}]}')
    result = runner.invoke(app, ["eval", str(SEEDS), "--labels", str(bad)])
    assert result.exit_code == 2 and "bad.json" in result.output and "Traceback" not in result.output
    unknown = runner.invoke(app, ["eval", str(SEEDS), "--labels", str(SEEDS / "labels.json"), "--sweep", "colour"])
    assert unknown.exit_code == 2 and "colour" in unknown.output


def test_roc_auc_matches_hand_computation_and_counts_ties_half() -> None:
    # 0.9 beats all three negatives; 0.4 beats 0.1, ties 0.4, loses to 0.8; 0.7 beats two: (3 + 1.5 + 2) / 9.
    assert roc_auc([0.9, 0.4, 0.7], [0.1, 0.4, 0.8]) == pytest.approx(6.5 / 9)
    assert roc_auc([1.0, 2.0], [0.0]) == 1.0 and roc_auc([0.0], [1.0, 2.0]) == 0.0
    assert roc_auc([], [1.0]) is None


def _seed_pairs(pairs: list[tuple[str, str, str, list[str]]], **extra) -> Labels:
    ids = {"000": "000_8ada7a739096a9c5", "001": "001_4f88ccd7cf78f350", "002": "002_a03570c17a29d6cf",
           "003": "003_17a6059d906b2d12", "004": "004_803d6f5bea246b18"}
    return parse_labels({"pairs": [{"a": ids[a], "b": ids[b], "label": label, "tags": tags,
                                    "subtype": "edited" if label == "positive" else None}
                                   for a, b, label, tags in pairs], **extra})


def test_recall_per_kind_and_hard_negatives_reported_apart() -> None:
    articles = list(read_articles([SEEDS]))
    labels = _seed_pairs([("002", "001", "positive", ["paraphrase-heavy", "drawn-by-hand"]),
                          ("002", "003", "negative", ["shares-quotes", "hard-negative"]),  # deliberately wrong label
                          ("000", "004", "negative", ["same-topic"])])
    evaluation = evaluate(scan(articles), labels, articles=articles)
    assert list(evaluation.by_kind) == ["paraphrase-heavy", "shares-quotes", "same-topic"]  # KINDS order
    assert evaluation.by_kind["paraphrase-heavy"].recall == 1.0
    assert evaluation.kind_links["paraphrase-heavy"] == {"rewrite": 1}
    assert evaluation.kind_links["shares-quotes"] == {"copy": 1}
    assert evaluation.kind_links["same-topic"] == {"apart": 1}
    assert evaluation.pairs.precision == 0.5  # the 'hard negative' 002/003 is clustered
    assert evaluation.without_hard_negatives.precision == 1.0
    data = evaluation.to_dict()
    assert data["kinds"]["shares-quotes"] == {"pairs": 1, "linked_as": {"copy": 1}, "false_positive_rate": 1.0,
                                              "wrongly_clustered": 1}
    assert data["kinds"]["paraphrase-heavy"]["recall"] == 1.0 and "drawn-by-hand" not in data["kinds"]
    assert data["pairs"]["precision_without_hard_negatives"] == 1.0
    assert evaluation.separation is None  # no short-text pairs


def test_source_accuracy_per_group_tag() -> None:
    articles = list(read_articles([SEEDS]))
    groups = [{"members": ["002_a03570c17a29d6cf", "003_17a6059d906b2d12", "001_4f88ccd7cf78f350"],
               "source": "002_a03570c17a29d6cf", "tags": ["copy"]},
              {"members": ["000_8ada7a739096a9c5"], "source": "000_8ada7a739096a9c5", "tags": ["copy", "alone"]}]
    labels = _seed_pairs([("002", "003", "positive", ["copy"])], groups=groups)
    evaluation = evaluate(scan(articles), labels)
    assert evaluation.sources_by_tag == {"copy": (1, 2), "alone": (0, 1)}
    with pytest.raises(InputError, match="tags must be a list"):
        parse_labels({"groups": [{"members": ["x"], "tags": "copy"}]}, "g.json")


def test_separation_scores_short_text_pairs_source_first() -> None:
    articles = list(read_articles([SEEDS]))
    labels = _seed_pairs([("002", "003", "positive", ["short-near"]),
                          ("000", "002", "negative", ["short-independent", "hard-negative"]),
                          ("002", "004", "negative", ["short-independent", "hard-negative"])],
                         groups=[{"members": ["002_a03570c17a29d6cf", "003_17a6059d906b2d12"],
                                  "source": "002_a03570c17a29d6cf"}])
    evaluation = evaluate(scan(articles), labels, articles=articles)
    report = evaluation.separation
    assert report["pairs"] == {"short-near": 1, "short-independent": 2}
    assert all(report["auc"][score]["all"] == 1.0 for score in SCORES)
    by_id = {a.id: a for a in articles}
    source_kept, text_kept = kept_shares(align(by_id["002_a03570c17a29d6cf"], by_id["003_17a6059d906b2d12"]))
    assert source_kept == pytest.approx(288 / 366) and text_kept == pytest.approx(288 / 643)  # README's diff
    assert word3_containment(by_id["002_a03570c17a29d6cf"], by_id["000_8ada7a739096a9c5"]) < 0.1


def test_cli_eval_table_shows_kinds_and_negatives_apart(tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"pairs": [
        {"a": "002_a03570c17a29d6cf", "b": "001_4f88ccd7cf78f350", "label": "positive", "subtype": "rewritten",
         "tags": ["paraphrase-heavy"]},
        {"a": "000_8ada7a739096a9c5", "b": "004_803d6f5bea246b18", "label": "negative",
         "tags": ["shares-quotes", "hard-negative"]}]}))
    result = CliRunner().invoke(app, ["eval", str(SEEDS), "--labels", str(labels), "--sweep", "none"])
    assert result.exit_code == 0, result.output
    assert "Recall per kind" in result.stdout and "paraphrase-heavy" in result.stdout
    assert "Negatives per kind" in result.stdout and "shares-quotes" in result.stdout
    assert "excl." in result.stdout  # precision without the hard negatives


@pytest.mark.parametrize("name", ["helsinki", "census", "spotify"])
def test_hand_labels_name_one_known_kind_and_how_each_pair_was_drawn(name: str) -> None:
    labels = load_labels(SEEDS.parent / "eval" / f"{name}-labels.json")
    assert len({frozenset((p.a, p.b)) for p in labels.pairs}) == len(labels.pairs)  # no pair twice
    for pair in labels.pairs:
        kinds = [tag for tag in pair.tags if tag in KINDS]
        assert len(kinds) == 1 and pair.tags[0] == kinds[0]
        assert (kinds[0] in POSITIVE_KINDS) == pair.positive
        quoted = {"shares-quotes", "shares-tweets", "shares-instagram", "shares-transcript"}
        assert (HARD_NEGATIVE in pair.tags) == (kinds[0] in quoted)
        assert pair.tags[-1].startswith(("sampled-", "drawn-"))
