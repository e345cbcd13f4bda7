"""Errors that name the input at fault, so a user can find and fix the bad record."""

from __future__ import annotations


class SyndicateError(Exception):
    """Base class: every error the CLI turns into a message and exit code 2."""


class InputError(SyndicateError):
    """A record or file that cannot be read as an article."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple:
        """Rebuilt from its parts when it crosses from a worker process to the driver."""
        return (InputError, (self.source, self.reason, self.line))
