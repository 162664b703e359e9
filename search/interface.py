"""Engine-neutral search interface: the only part of this package callers depend on."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field


class IndexUnavailable(Exception):
    """The index is missing, broken or locked; a rebuild will bring it back."""


@dataclass
class Document:
    id: str
    title: str
    summary: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)
    product: str = ""
    asset_type: str = ""
    language: str = ""


@dataclass(frozen=True)
class SearchQuery:
    text: str
    page: int = 1
    page_size: int = 20
    asset_type: str | None = None
    product: str | None = None
    # None means unrestricted (vendor staff); an empty collection matches nothing.
    allowed_ids: Collection[str] | None = None

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError(f"page must be >= 1, got {self.page}")
        if self.page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {self.page_size}")


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title_highlight: str  # HTML: escaped text, matched terms wrapped in <mark>
    snippet: str  # HTML, same escaping rules as title_highlight


@dataclass(frozen=True)
class SearchResult:
    total: int
    page: int
    page_count: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet name -> [(value, count)], most common first
    suggestion: str | None = None

    @classmethod
    def empty(cls, page: int = 1) -> SearchResult:
        return cls(total=0, page=page, page_count=0, hits=[], facets={"asset_type": [], "product": []})


class SearchIndex(ABC):
    @abstractmethod
    def index_documents(self, docs: Iterable[Document]) -> None:
        """Add documents, replacing any already indexed under the same id."""

    @abstractmethod
    def delete_documents(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    @abstractmethod
    def sync(self, ids: Iterable[str], load: Callable[[list[str]], Iterable[Document]]) -> None:
        """Make the index agree with the caller's current data for `ids`.

        `load(ids)` is called while the write lock is held and returns the documents
        that exist now; they are indexed and the other `ids` deleted, all at once.
        Because each sync reads the truth inside the lock, concurrent syncs of the
        same document can never leave an older version in the index.
        """

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query; raises IndexUnavailable if the index cannot be read."""

    @abstractmethod
    def rebuild(self, docs: Iterable[Document]) -> None:
        """Replace the whole index with `docs`, without interrupting searches."""

    @abstractmethod
    def try_rebuild(self, docs_factory: Callable[[], Iterable[Document]]) -> bool:
        """Rebuild from `docs_factory()` unless a rebuild is already running.

        Returns False at once if one is; otherwise calls `docs_factory` only once the
        rebuild has started, rebuilds and returns True. Lets many requests that find
        the index broken trigger one rebuild between them.
        """

    @abstractmethod
    def healthy(self) -> bool:
        """True if the index exists and can be searched."""
