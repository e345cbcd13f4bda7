"""The `syndicate` command: a thin layer over the Python API.

Each command lives in its own module and registers itself on the app of :mod:`.group`, which says which
module that is, so that a run imports only the command it runs. Every command that reads
articles takes them as positional ``PATH...`` (``-`` for standard input) and picks articles by
id with options; the human output format is ``text``; errors are one line on stderr and exit
code 2 (see :mod:`.common`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .group import register

if TYPE_CHECKING:
    import typer


def main() -> None:
    """The ``syndicate`` entry point: registers the command the command line names (see .group), then runs it."""
    register(sys.argv[1:])()


def __getattr__(name: str) -> typer.Typer:
    """``app``: the Typer app with every command registered (what tests and embedding code invoke)."""
    if name == "app":
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
