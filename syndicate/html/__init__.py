"""HTML pages: the static report of an archive, and the single pages of `diff --html` and `show --html`.

Imported only by the commands that write HTML, so that Jinja2 is loaded only when a page is made.
"""

from .pages import cluster_html, diff_html
from .report import ReportSummary, build_report, is_report

__all__ = ["ReportSummary", "build_report", "cluster_html", "diff_html", "is_report"]
