"""What every command shares: reader flags, the one error style, and the command group.

Errors are one line on stderr, ``syndicate: error: …``, exit code 2, whether they come from the
input (:class:`~syndicate.errors.SyndicateError`) or from the command line itself (an unknown
option, a bad value). With ``--format json`` the line is a JSON object instead:
``{"error": "...", "input": "file or null", "line": n or null}``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NamedTuple, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

from ..errors import InputError, SyndicateError
from ..read import FIELD_ALIASES, ROLES, InputFormat, ReaderOptions

stderr = Console(stderr=True)
Command = TypeVar("Command", bound=Callable[..., None])

READER_PANEL = "Reading the input"
EXIT_ERROR = 2


# --- errors --------------------------------------------------------------------------------------------


def print_error(message: str, json_errors: bool, input: str | None = None, line: int | None = None) -> None:
    """The one error line on stderr (a JSON object with ``json_errors``)."""
    if json_errors:
        sys.stderr.write(json.dumps({"error": message, "input": input, "line": line}, ensure_ascii=False) + "\n")
        sys.stderr.flush()
        return
    where = "" if input is None else f"{input}:{line}: " if line is not None else f"{input}: "
    stderr.print(f"syndicate: error: {where}{message}", style="red", markup=False, highlight=False, soft_wrap=True)


@contextmanager
def errors_exit_2(json_errors: bool = False) -> Iterator[None]:
    """Turn SyndicateError (bad input, unreadable index) into the one error line on stderr and exit code 2."""
    try:
        yield
    except InputError as error:
        print_error(error.reason, json_errors, error.source, error.line)
        raise typer.Exit(EXIT_ERROR) from None
    except SyndicateError as error:
        print_error(str(error), json_errors)
        raise typer.Exit(EXIT_ERROR) from None


def wants_json(args: Sequence[str]) -> bool:
    """Whether a command line asks for ``--format json`` (so that even its usage errors come as JSON)."""
    for index, arg in enumerate(args):
        if arg in ("--format=json", "-fjson") or (arg in ("--format", "-f") and args[index + 1: index + 2] == ["json"]):
            return True
    return False


_ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class CommandGroup(TyperGroup):
    """The ``syndicate`` group: usage errors (unknown option, bad value, missing argument) in the same one-line
    style as every other error, exit code 2, instead of click's boxed message."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(argv, prog_name or "syndicate", complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except _ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # `syndicate` alone, or `syndicate index`: the help
                typer.echo(error.ctx.get_help())  # type: ignore[attr-defined]
                code = 0
            else:
                context = getattr(error, "ctx", None)
                hint = f" (see {context.command_path} -h)" if context is not None else ""
                print_error(error.format_message() + hint, wants_json(argv))  # type: ignore[attr-defined]
                code = EXIT_ERROR
        except SyndicateError as error:  # raised while the options were turned into values (an unknown --encoding)
            with contextlib.suppress(typer.Exit), errors_exit_2(wants_json(argv)):
                raise error
            code = EXIT_ERROR
        except typer.Abort:
            stderr.print("syndicate: aborted", markup=False, highlight=False)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code)


# --- reader flags --------------------------------------------------------------------------------------


class Flag(NamedTuple):
    """A command-line flag as a parameter: its name, Annotated type with its typer.Option, and default."""

    name: str
    annotation: object
    default: object


def _field_flag(role: str) -> Flag:
    aliases = ", ".join(FIELD_ALIASES[role][:3])
    return Flag(f"{role}_field", Annotated[str | None, typer.Option(
        f"--{role}-field", metavar="NAME", rich_help_panel=READER_PANEL,
        help=f"Field holding the {role} (default: {aliases}…).")], None)


READER_FLAGS: dict[str, Flag] = {flag.name: flag for flag in (
    *(_field_flag(role) for role in ROLES),
    Flag("paragraph_sep", Annotated[str | None, typer.Option(
        "--paragraph-sep", metavar="TEXT", rich_help_panel=READER_PANEL,
        help="Paragraph separator inside the text (default: line breaks), e.g. ' ### '.")], None),
    Flag("input_format", Annotated[InputFormat | None, typer.Option(
        "--input-format", rich_help_panel=READER_PANEL,
        help="Format of standard input (default: sniffed from its first line) and of files whose suffix says "
             "nothing.")], None),
    Flag("stdin_id", Annotated[str | None, typer.Option(
        "--id", metavar="ID", rich_help_panel=READER_PANEL,
        help="Id of a plain-text (or HTML) article on standard input; required there.")], None),
    Flag("encoding", Annotated[str | None, typer.Option(
        "--encoding", metavar="CODEC", rich_help_panel=READER_PANEL,
        help="Decode the input with this codec (default: UTF-8, UTF-16/32 by byte-order mark, else detected "
             "and reported).")], None),
    Flag("max_article_mb", Annotated[float, typer.Option(
        "--max-article-mb", min=0.001, rich_help_panel=READER_PANEL, help="Largest article accepted, in MB.")],
        10.0),
    Flag("skip_bad", Annotated[bool, typer.Option(
        "--skip-bad/--no-skip-bad", metavar="", rich_help_panel=READER_PANEL,
        help="Skip unreadable records with a warning instead of stopping.")], False),
)}
ONE_ARTICLE_FLAGS: tuple[str, ...] = ("id_field", "text_field", "paragraph_sep", "input_format", "stdin_id",
                                      "encoding", "max_article_mb")
"""What reading one article needs (``check``): no metadata overrides, no skipping."""


def reader_options(**values: Any) -> ReaderOptions:
    """ReaderOptions from command-line values; skipped records and notices (an encoding) go to stderr."""

    def warn(error: InputError) -> None:
        stderr.print(f"warning: skipped {error}", style="yellow", markup=False, highlight=False, soft_wrap=True)

    def notice(message: str) -> None:
        stderr.print(f"note: {message}", style="dim", markup=False, highlight=False, soft_wrap=True)

    fields = {role: name for role in ROLES if (name := values.pop(f"{role}_field", None)) is not None}
    max_mb = values.pop("max_article_mb", 10.0)
    return ReaderOptions(fields=fields, max_article_bytes=int(max_mb * 1024 * 1024), on_skip=warn, on_notice=notice,
                         **values)


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


def with_reader_flags(*names: str) -> Callable[[Command], Command]:
    """Give a command these reader flags (names from READER_FLAGS); it receives ``options: ReaderOptions``."""
    unknown = set(names) - set(READER_FLAGS)
    if unknown:
        raise ValueError(f"unknown reader flags: {sorted(unknown)}")
    return fold_flags("options", [READER_FLAGS[name] for name in names], reader_options)


with_reader_options = with_reader_flags(*READER_FLAGS)
"""Give a command every reader flag; it receives them as ``options: ReaderOptions``."""
with_one_article_reader_options = with_reader_flags(*ONE_ARTICLE_FLAGS)
"""Give a command the reader flags that reading one article needs (``check``)."""

