"""The `syndicate` command: a thin layer over the Python API.

Each command lives in its own module and registers itself on `app`. Every command that reads
articles takes them as positional ``PATH...`` (``-`` for standard input) and picks articles by
id with options; the human output format is ``text``; errors are one line on stderr and exit
code 2 (see :mod:`.common`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from .common import CommandGroup

app = typer.Typer(
    name="syndicate",
    cls=CommandGroup,
    help="Find the copies of a wire story in an archive, align them with the source, show what changed.\n\n"
         "Exit codes: 0 success (check: new); 1 a predicate found something (check: a duplicate; index check: "
         "problems; index remove: ids missing); 2 an error. Example: syndicate scan seeds/",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"syndicate {__version__}")
        raise typer.Exit()


@app.callback()
def _commands(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, metavar="",
                                          help="Print the version and exit.")] = False,
) -> None:
    """The group's options; the help text is the app's."""


from . import diff  # noqa: E402,F401,I001  (registers diff and show)
from . import eval  # noqa: E402,F401  (registers eval and simulate)
from . import index  # noqa: E402,F401  (registers index add|stats|check|remove and check)
from . import report  # noqa: E402,F401  (registers report, outlets and trace)
from . import scan  # noqa: E402,F401  (registers its command)
from . import serve  # noqa: E402,F401  (registers serve)


def main() -> None:
    app()
