"""The `syndicate` command: a thin layer over the Python API.

Each command lives in its own module and registers itself on `app`; errors in input
become one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="syndicate",
    help="Find the copies of a wire story in an archive, align them with the source, show what changed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _commands() -> None:
    """Keeps every command a named subcommand, even while there is only one."""


from . import diff  # noqa: E402,F401,I001  (registers diff and show)
from . import eval  # noqa: E402,F401  (registers eval and simulate)
from . import index  # noqa: E402,F401  (registers index add|stats|check|remove and check)
from . import scan  # noqa: E402,F401  (registers its command)
from . import serve  # noqa: E402,F401  (registers serve)


def main() -> None:
    app()
