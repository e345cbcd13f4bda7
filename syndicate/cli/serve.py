"""`syndicate serve`: the pre-ingest hook as an HTTP service (see syndicate/serve.py for the contract)."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from ..index import Index
from ..read import ReaderOptions
from .common import errors_exit_2
from .group import app

DEFAULT_PORT = 8750


@app.command("serve")
def serve_command(
    db: Annotated[str, typer.Option("--db", help="The index: a SQLite file, or redis://HOST:PORT/DB.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless you open it).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port, printed on "
                                                                      "stderr).")] = DEFAULT_PORT,
) -> None:
    """Answer `POST /check` (one article as JSON; `?add=true` adds it when new) and `GET /health`."""
    from ..serve import serve

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with errors_exit_2(), Index.open(db, create=False) as index:
        try:
            serve(index, host, port, ReaderOptions())
        except KeyboardInterrupt:
            pass
        except OSError as error:
            raise typer.BadParameter(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
