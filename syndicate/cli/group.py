"""The ``syndicate`` command group: the Typer app every command module registers its commands on, and which
module registers which command.

A run imports only the module of the command it runs. Start-up is most of what a one-article ``syndicate check``
costs, and a pipeline may call it once per article; the other commands' modules bring the aligner, the
evaluator, the simulator and the reports. A run that names no command (``syndicate``, ``syndicate -h``) or one
this table does not know imports them all, so that help lists every command and an unknown one gets click's
error with its suggestions.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
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

COMMAND_MODULES: dict[str, str] = {
    "scan": "scan",
    "diff": "diff", "show": "diff",
    "eval": "eval", "simulate": "eval",
    "index": "index", "check": "index",
    "report": "report", "outlets": "report", "trace": "report",
    "serve": "serve",
}  # fmt: skip
"""Each command (as typed: the first argument) and the module of this package that registers it; in the order
help lists them."""


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


def register(args: Sequence[str] | None = None) -> typer.Typer:
    """The app with the commands a command line needs registered: the module of the command `args` starts with,
    or every module when it starts with none of them (None: every module)."""
    named = COMMAND_MODULES.get(args[0]) if args else None
    for module in [named] if named else dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(f"{__package__}.{module}")
    return app
