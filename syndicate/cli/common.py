"""Options and error handling shared by every command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from ..errors import InputError, SyndicateError
from ..read import ReaderOptions

stderr = Console(stderr=True)

READER_PANEL = "Reading the archive"


def _reader_option(flag: str, help: str) -> typer.models.OptionInfo:
    return typer.Option(flag, help=help, rich_help_panel=READER_PANEL)


IdField = Annotated[str | None, _reader_option("--id-field", "Record field holding the article id.")]
TextField = Annotated[str | None, _reader_option("--text-field", "Field holding the text (default: text/body…).")]
TitleField = Annotated[str | None, _reader_option("--title-field", "Field holding the title.")]
OutletField = Annotated[str | None, _reader_option("--outlet-field", "Field holding the outlet (default: publisher…).")]
DateField = Annotated[str | None, _reader_option("--date-field", "Field holding the date (default: published…).")]
UrlField = Annotated[str | None, _reader_option("--url-field", "Field holding the URL.")]
ParagraphSep = Annotated[str | None, _reader_option(
    "--paragraph-sep", "Paragraph separator inside the text (default: line breaks), e.g. ' ### '.")]
MaxArticleMb = Annotated[float, typer.Option("--max-article-mb", min=0.001, help="Largest article accepted, in MB.",
                                             rich_help_panel=READER_PANEL)]
SkipBad = Annotated[bool, _reader_option("--skip-bad", "Skip unreadable records with a warning instead of stopping.")]

def reader_options(id_field: str | None = None, text_field: str | None = None, title_field: str | None = None,
                   outlet_field: str | None = None, date_field: str | None = None, url_field: str | None = None,
                   paragraph_sep: str | None = None, max_article_mb: float = 10.0,
                   skip_bad: bool = False) -> ReaderOptions:
    """ReaderOptions from command-line values; skipped records are reported on stderr."""

    def warn(error: InputError) -> None:
        stderr.print(f"warning: skipped {error}", style="yellow", markup=False, highlight=False, soft_wrap=True)

    return ReaderOptions(id_field=id_field, text_field=text_field, title_field=title_field,
                         outlet_field=outlet_field, date_field=date_field, url_field=url_field,
                         paragraph_sep=paragraph_sep, max_article_bytes=int(max_article_mb * 1024 * 1024),
                         skip_bad=skip_bad, on_skip=warn)


@contextmanager
def errors_exit_2() -> Iterator[None]:
    """Turn SyndicateError (bad input, unreadable index) into one line on stderr and exit code 2."""
    try:
        yield
    except SyndicateError as error:
        stderr.print(f"syndicate: error: {error}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
