"""The persistent index behind the pre-ingest hook: SQLite by default, Redis when machines share one."""

from .index import Index, Match, Verdict, parameters
from .store import IndexStoreError

__all__ = ["Index", "IndexStoreError", "Match", "Verdict", "parameters"]
