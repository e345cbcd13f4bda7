"""The persistent index behind the pre-ingest hook: SQLite by default, Redis when machines share one."""

from .index import AddReport, IdConflictError, Index, Match, Verdict, parameters
from .store import IndexDamagedError, IndexStoreError

__all__ = ["AddReport", "IdConflictError", "Index", "IndexDamagedError", "IndexStoreError", "Match", "Verdict",
           "parameters"]
