"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from ..errors import InputError, SyndicateError
from ..read import ReaderOptions

stderr = Console(stderr=True)
Command = TypeVar("Command", bound=Callable[..., None])

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
def errors_exit_2(json_errors: bool = False) -> Iterator[None]:
    """Turn SyndicateError (bad input, unreadable index) into one line on stderr and exit code 2: text, or
    with `json_errors` one JSON object ``{"error", "input", "line"}``."""
    try:
        yield
    except SyndicateError as error:
        if json_errors:
            source, line = (error.source, error.line) if isinstance(error, InputError) else (None, None)
            sys.stderr.write(json.dumps({"error": str(error), "input": source, "line": line}, ensure_ascii=False)
                             + "\n")
        else:
            stderr.print(f"syndicate: error: {error}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None



Flag = tuple[str, object, object]
"""A command-line flag as a parameter: (name, Annotated type with its typer.Option, default)."""
_READER_FLAGS: tuple[Flag, ...] = (
    ("id_field", IdField, None), ("text_field", TextField, None), ("title_field", TitleField, None),
    ("outlet_field", OutletField, None), ("date_field", DateField, None), ("url_field", UrlField, None),
    ("paragraph_sep", ParagraphSep, None), ("max_article_mb", MaxArticleMb, 10.0), ("skip_bad", SkipBad, False),
)


def fold_flags(argument: str, flags: Sequence[Flag], build: Callable[..., object]) -> Callable[[Command], Command]:
    """A decorator giving a command a group of flags, which it receives folded into one argument.

    The command declares a keyword-only parameter named ``argument``; typer sees the flags in its
    place (through ``__signature__``), and ``build(**flag_values)`` makes the value passed in. A
    group of flags is declared once, however many commands share it.
    """

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != argument]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                 for name, annotation, default in flags]

        @functools.wraps(command)
        def run(*args: object, **kwargs: object) -> None:
            values = {name: kwargs.pop(name) for name, _, _ in flags}
            command(*args, **{argument: build(**values)}, **kwargs)

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


with_reader_options = fold_flags("options", _READER_FLAGS, reader_options)
"""Give a command every reader flag; it receives them as ``options: ReaderOptions``."""
