"""Full-text search for Partnerhouse, independent of the web app.

Callers depend on `SearchIndex` and the data classes; `WhooshIndex` is the
file-based implementation, replaceable by a server-backed engine.
"""

from .interface import Document, Hit, IndexUnavailable, SearchIndex, SearchQuery, SearchResult
from .whoosh_index import WhooshIndex

__all__ = [
    "Document",
    "Hit",
    "IndexUnavailable",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "WhooshIndex",
]
