"""syndicate: find the copies of a wire story, align them with their source, show what changed."""

from .align import Alignment, align
from .article import Article, split_paragraphs
from .config import ScanConfig
from .errors import InputError, SyndicateError
from .index import Index, Verdict
from .inputs import Archive
from .read import ReaderOptions, read_articles
from .scan import Cluster, ScanResult, scan
from .verify import Link

__all__ = [
    "Alignment",
    "Archive",
    "Article",
    "Cluster",
    "Index",
    "InputError",
    "Link",
    "ReaderOptions",
    "ScanConfig",
    "ScanResult",
    "SyndicateError",
    "Verdict",
    "align",
    "read_articles",
    "scan",
    "split_paragraphs",
]
__version__ = "0.1.0"
