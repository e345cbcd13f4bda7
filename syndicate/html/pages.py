"""Pages in one style: the report's, and the single pages of `diff --html` and `show --html`.

Templates are Jinja2 (package data in ``templates/``) with autoescaping on for every page, so
article text, titles, outlets and ids are always shown, never run. URLs in records are shown as
text, never made into links. Each page also carries a Content-Security-Policy that only allows
the report's own script file, as a second line of defence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import xxhash
from markupsafe import Markup

from .. import __version__
from ..align import Alignment, ReuseSummary
from ..article import Article
from ..diffview import OP_LABELS
from ..normalise import words
from ..reuse import KINDS, kinds_in_order, member_kinds
from ..scan import ArticleInfo, Cluster
from ..sketch import headline_candidates
from .diff import Row, diff_rows

if TYPE_CHECKING:
    import jinja2

OVERVIEW = "index.html"
STATIC_FILES = ("style.css", "report.js")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("syndicate.html", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["plural"] = plural
    return env


def plural(word: str, count: int) -> str:
    """'article' for one, 'articles' for any other count."""
    return word if count == 1 else f"{word}s"


def static_text(name: str) -> str:
    return resources.files("syndicate.html").joinpath("static", name).read_text(encoding="utf-8")


def inline_style() -> Markup:
    """The stylesheet, for a page that must stand alone (our own file: the one text pages do not escape)."""
    return Markup(static_text("style.css"))


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(version=__version__, **context)


# --- names ---------------------------------------------------------------------------------------


def slug(article_id: str) -> str:
    """A file-name- and anchor-safe form of an id: its safe characters, plus a hash when any were dropped."""
    safe = _UNSAFE.sub("-", article_id).strip("-")[:60]
    if safe == article_id:
        return safe
    return f"{safe}-{xxhash.xxh3_64_hexdigest(article_id.encode())[:10]}".lstrip("-")


def cluster_page(number: int) -> str:
    return f"cluster-{number}.html"


def article_page(article_id: str) -> str:
    return f"article-{slug(article_id)}.html"


def copy_anchor(article_id: str) -> str:
    return f"copy-{slug(article_id)}"


# --- views of the data, as templates read them ---------------------------------------------------


@dataclass(frozen=True)
class ArticleView:
    id: str
    headline: str
    outlet: str | None
    date: str | None
    url: str | None
    credit: str | None
    words: int
    paragraphs: int
    composite: str | None = None
    """The article's provenance page, when it is composite."""


def article_view(article: Article, info: ArticleInfo | None = None, composite: str | None = None) -> ArticleView:
    """What pages show about an article; the scan's facts when known (its headline skips furniture)."""
    headline = info.headline if info else headline_candidates(article)[0][1]
    credit = info.credit if info else None
    count = info.words if info else len(words(article.text))
    return ArticleView(article.id, headline, article.outlet, article.date, article.url, credit, count,
                       len(article.paragraphs), composite)


@dataclass(frozen=True)
class CopyView:
    id: str
    anchor: str
    headline: str
    outlet: str | None
    date: str | None
    kind: str
    summary: ReuseSummary
    paragraph_counts: str
    rows: list[Row]
    composite: str | None


def paragraph_counts(summary: ReuseSummary) -> str:
    return " · ".join(f"{count} {OP_LABELS.get(op, op)}" for op, count in summary.paragraphs.items() if count)


def copy_view(alignment: Alignment, kind: str, info: ArticleInfo | None = None,
              composite: str | None = None) -> CopyView:
    copy = alignment.copy
    headline = info.headline if info else headline_candidates(copy)[0][1]
    return CopyView(copy.id, copy_anchor(copy.id), headline, copy.outlet, copy.date, kind, alignment.summary,
                    paragraph_counts(alignment.summary), diff_rows(alignment), composite)


def kept_summary(shares: Sequence[float]) -> tuple[float | None, tuple[float, float] | None]:
    """Median share kept, and the range when there are several copies."""
    if not shares:
        return None, None
    return statistics.median(shares), ((min(shares), max(shares)) if len(shares) > 1 else None)


# --- pages ---------------------------------------------------------------------------------------


def cluster_html(cluster: Cluster, source: Article, alignments: Sequence[Alignment], *,
                 info: Mapping[str, ArticleInfo] | None = None, agency: str | None = None,
                 composites: Mapping[str, str] | None = None, overview: str | None = OVERVIEW,
                 inputs: Sequence[str] = ()) -> str:
    """A cluster's page: source, members, and each copy's side-by-side diff with links between them.

    With `overview` None the page stands alone (`show --html`): styles inline, no links out.
    """
    kinds = member_kinds(cluster)
    facts = info or {}
    composites = composites or {}
    copies = [copy_view(a, kinds.get(a.copy.id, "indirect"), facts.get(a.copy.id), composites.get(a.copy.id))
              for a in alignments]
    order = kinds_in_order([c.kind for c in copies])
    copies.sort(key=lambda c: (order.index(c.kind), -c.summary.source_reused, c.id))  # by kind, most kept first
    shown = kinds_in_order([*order, "source"])
    return render("cluster.html", cluster=cluster,
                  source=article_view(source, facts.get(source.id), composites.get(source.id)),
                  copies=copies, agency=agency, kinds=KINDS, kind_legend=shown, overview=overview, inputs=inputs,
                  inline_css=None if overview else inline_style(), script=False)


def diff_html(alignment: Alignment) -> str:
    """The single page of `syndicate diff --html`: both articles, the reuse summary and the side-by-side diff."""
    return render("diff.html", source=article_view(alignment.source), copy=article_view(alignment.copy),
                  summary=alignment.summary, paragraph_counts=paragraph_counts(alignment.summary),
                  rows=diff_rows(alignment), overview=None, inputs=(),
                  inline_css=inline_style(), script=False)
