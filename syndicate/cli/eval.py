"""`syndicate eval` (score detection against labels) and `syndicate simulate` (build a labelled archive)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.table import Table

from ..article import write_jsonl
from ..config import ScanConfig
from ..errors import InputError
from ..evaluate import (
    KINDS,
    POSITIVE_KINDS,
    SCORES,
    SUBTYPES,
    SWEEPS,
    Evaluation,
    SweepPoint,
    evaluate,
    load_labels,
    sweep,
)
from ..read import ReaderOptions, read_articles
from ..scan import scan
from ..simulate import ShortTextConfig, SimulationConfig, simulate, simulate_short
from .common import errors_exit_2, stderr, with_reader_options
from .group import app


class EvalFormat(StrEnum):
    text = "text"
    json = "json"


class SimulationMode(StrEnum):
    syndication = "syndication"
    short = "short"


@app.command("eval")
@with_reader_options
def eval_command(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...",
                                                help="The labelled archive: files or directories, as for scan.")],
    labels: Annotated[Path, typer.Option("--labels", "-l", help="Labels JSON (pairs and/or groups).")],
    format: Annotated[EvalFormat, typer.Option("--format", "-f", help="Output format.")] = EvalFormat.text,
    sweep_knobs: Annotated[list[str] | None, typer.Option(
        "--sweep", help=f"Knob to sweep (repeatable): {', '.join(SWEEPS)}, 'all' or 'none'.")] = None,
    threshold: Annotated[float, typer.Option("--threshold", min=0.01, max=1.0,
                                             help="Copy threshold, as for scan.")] = ScanConfig.copy_threshold,
    *,
    options: ReaderOptions,
) -> None:
    """Score detection on a labelled archive: pair precision/recall per kind of reuse, cluster agreement, sweep.

    Example: syndicate eval seeds/ --labels seeds/labels.json --sweep none
    """
    knobs = _knobs(sweep_knobs or ["copy_threshold"])
    config = ScanConfig(copy_threshold=threshold)
    with errors_exit_2(format is EvalFormat.json):
        truth = load_labels(labels)
        articles = list(read_articles(paths, options))
        evaluation = evaluate(scan(articles, config), truth, articles=articles)
        points = sweep(articles, truth, knobs, base=config) if knobs else []
    if format is EvalFormat.json:
        data = evaluation.to_dict()
        data["sweep"] = [point.to_dict() for point in points]
        data["config"] = {knob: getattr(config, knob) for knob in SWEEPS}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    Console().print(Group(*render(evaluation, points)))


@app.command("simulate")
@with_reader_options
def simulate_command(
    source: Annotated[list[Path], typer.Option("--from", help="Wire stories to syndicate (files or directories).")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write articles.jsonl and labels.json into.")],
    mode: Annotated[SimulationMode, typer.Option(
        "--mode", help="syndication: wire stories and their copies, teasers, excerpts, rewrites and hard negatives; "
                       "short: short texts derived from sources at three revision levels, and independent ones.")
    ] = SimulationMode.syndication,
    stories: Annotated[int, typer.Option("--stories", min=1,
                                         help="Wire stories to republish (short mode: sources).")] = 200,
    copies: Annotated[int, typer.Option("--copies", min=1, max=50, help="Outlet copies per story.")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Same seed and input, same archive.")] = 0,
    min_paragraphs: Annotated[int, typer.Option("--min-paragraphs", min=1,
                                                help="Only stories with this many paragraphs.")] = 6,
    *,
    options: ReaderOptions,
) -> None:
    """Republish wire stories as outlet copies with known edits; write the archive and its labels.

    Example: syndicate simulate --from wire/ --out simulated/ --stories 50
    """
    with errors_exit_2():
        try:
            if mode is SimulationMode.short:
                result = simulate_short(read_articles(source, options), ShortTextConfig(sources=stories, seed=seed))
            else:
                config = SimulationConfig(stories=stories, copies=copies, seed=seed, min_paragraphs=min_paragraphs)
                result = simulate(read_articles(source, options), config)
        except ValueError as error:
            raise InputError(", ".join(map(str, source)), str(error)) from None
        if out.exists() and not out.is_dir():
            raise InputError(str(out), "exists and is not a directory")
        articles_path, labels_path = out / "articles.jsonl", out / "labels.json"
        for path in (articles_path, labels_path):
            if path.exists():
                raise InputError(str(path), "already exists (choose an empty --out directory)")
        out.mkdir(parents=True, exist_ok=True)
        with articles_path.open("w", encoding="utf-8") as handle:
            write_jsonl(result.articles, handle)
        labels_path.write_text(json.dumps({**result.labels, "copies": result.copies}, indent=1) + "\n",
                               encoding="utf-8")
    stderr.print(f"wrote {len(result.articles)} articles to {articles_path} and labels to {labels_path}",
                 highlight=False)


def _knobs(requested: list[str]) -> list[str]:
    if "none" in requested:
        return []
    if "all" in requested:
        return list(SWEEPS)
    unknown = [k for k in requested if k not in SWEEPS]
    if unknown:
        raise typer.BadParameter(f"unknown knob {unknown[0]!r}; choose from {', '.join(SWEEPS)}, all, none",
                                 param_hint="--sweep")
    return requested


def render(evaluation: Evaluation, points: list[SweepPoint]) -> list[Table]:
    """Rich tables: pairs by subtype, recall per kind, hard negatives, separation, clusters, one sweep per knob."""
    pairs = Table(title="Labelled pairs (found = same cluster)", title_justify="left")
    for column in ("", "pairs", "precision", "recall", "F1", "linked as"):
        pairs.add_column(column, justify="left" if column in ("", "linked as") else "right")
    overall = evaluation.pairs
    pairs.add_row("all", str(overall.tp + overall.fp + overall.fn + overall.tn), _cell(overall.precision),
                  _cell(overall.recall), _cell(overall.f1), "")
    for name in SUBTYPES:
        counts = evaluation.by_subtype[name]
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(evaluation.link_kinds[name].items()))
        pairs.add_row(name, str(counts.tp + counts.fn), "", _cell(counts.recall), "", kinds)
    negatives = overall.fp + overall.tn
    pairs.add_row("negative", str(negatives), "", "", "", f"{overall.fp} wrongly clustered")
    clean = evaluation.without_hard_negatives
    pairs.add_row("excl. hard negatives", str(clean.tp + clean.fp + clean.fn + clean.tn), _cell(clean.precision),
                  _cell(clean.recall), _cell(clean.f1), "")
    tables = [pairs, *_kind_tables(evaluation)]
    scores = evaluation.clusters
    clusters = Table(title=f"Clusters over {scores.articles} labelled articles", title_justify="left")
    for column in ("ARI", "B³ precision", "B³ recall", "B³ F1", "pair precision", "pair recall", "sources"):
        clusters.add_column(column, justify="right")
    clusters.add_row(_cell(scores.ari), _cell(scores.bcubed_precision), _cell(scores.bcubed_recall),
                     _cell(scores.bcubed_f1), _cell(scores.pair_precision), _cell(scores.pair_recall),
                     f"{evaluation.sources_correct}/{evaluation.sources_known}")
    tables.append(clusters)
    if evaluation.sources_by_tag:
        sources = Table(title="Probable source right, per group tag", title_justify="left")
        for column in ("group tag", "right", "groups"):
            sources.add_column(column, justify="left" if column == "group tag" else "right")
        for tag, (right, known) in sorted(evaluation.sources_by_tag.items()):
            sources.add_row(tag, str(right), str(known))
        tables.append(sources)
    for knob in dict.fromkeys(point.knob for point in points):
        table = Table(title=f"Sweep: {knob}", title_justify="left")
        for column in (knob, "precision", "recall", *SUBTYPES, "ARI", "B³ F1"):
            table.add_column(column, justify="right")
        for point in (p for p in points if p.knob == knob):
            row = point.evaluation
            table.add_row(f"{point.value:g}{' *' if point.is_default else ''}", _cell(row.pairs.precision),
                          _cell(row.pairs.recall), *(_cell(row.by_subtype[n].recall) for n in SUBTYPES),
                          _cell(row.clusters.ari), _cell(row.clusters.bcubed_f1))
        tables.append(table)
    return tables


def _kind_tables(evaluation: Evaluation) -> list[Table]:
    """Recall per positive kind, false-positive rate per negative kind, and the short-text separation."""
    kinds = evaluation.by_kind
    positive = Table(title="Recall per kind (found = same cluster)", title_justify="left")
    negative = Table(title="Negatives per kind (hard negatives apart)", title_justify="left")
    for table, columns in ((positive, ("kind", "pairs", "recall", "linked as")),
                           (negative, ("kind", "pairs", "wrongly clustered", "false-positive rate"))):
        for column in columns:
            table.add_column(column, justify="left" if column in ("kind", "linked as") else "right")
    for kind, counts in kinds.items():
        links = ", ".join(f"{name} {n}" for name, n in sorted(evaluation.kind_links.get(kind, {}).items()))
        if kind in POSITIVE_KINDS:
            positive.add_row(kind, str(counts.tp + counts.fn), _cell(counts.recall), links)
        else:
            rate = counts.fp / (counts.fp + counts.tn) if counts.fp + counts.tn else None
            negative.add_row(kind, str(counts.fp + counts.tn), str(counts.fp), _cell(rate))
    tables = [table for table in (positive, negative) if table.row_count]
    if evaluation.separation:
        auc = evaluation.separation["auc"]
        separation = Table(title="Derived vs independent short texts: ROC AUC per score", title_justify="left")
        levels = [kind for kind in KINDS if any(kind in auc[score] for score in SCORES)]
        for column in ("score", "all", *levels):
            separation.add_column(column, justify="left" if column == "score" else "right")
        for score in SCORES:
            separation.add_row(score, _cell(auc[score]["all"]), *(_cell(auc[score].get(kind)) for kind in levels))
        tables.append(separation)
    return tables


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
