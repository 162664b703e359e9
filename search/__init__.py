"""Full-text search for Partnerhouse, independent of the web app.

Callers depend on `SearchIndex` and the data classes; `WhooshIndex` keeps the index in
files, `PostgresIndex` in tables of a PostgreSQL database (full text search and pg_trgm).
"""

from .interface import Document, Hit, IndexUnavailable, SearchIndex, SearchQuery, SearchResult
from .postgres_index import PostgresIndex
from .whoosh_index import WhooshIndex

__all__ = [
    "Document",
    "Hit",
    "IndexUnavailable",
    "PostgresIndex",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "WhooshIndex",
]
