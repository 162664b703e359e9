"""The portal's one file store: every file it keeps (asset versions and previews, logos,
thumbnails, co-branded and certificate PDFs, demo files) is a blob named by the SHA-256 of
its bytes.

`BlobStore` is the interface, in streams and ids, never paths; tests/storage/test_store_contract.py
is the contract every backend passes. `LocalBlobStore` keeps blobs in a folder, `S3BlobStore`
(portal/storage_s3.py) in an S3-compatible bucket. `current_store()` is the one the app is
configured with (PORTAL_STORAGE_URL: unset or file: is the data dir's files/ folder).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, send_file
from werkzeug.exceptions import NotFound, RequestedRangeNotSatisfiable
from werkzeug.http import is_resource_modified
from werkzeug.wsgi import FileWrapper

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


class BlobNotFound(LookupError):
    """No blob is stored under this id."""


class StorageUnavailable(Exception):
    """The store cannot be reached or fails on its side (a remote store's outage): the
    request may succeed in a minute. The web layer answers 503."""


@dataclass(frozen=True)
class BlobInfo:
    """A stored object: `id` is a blob's SHA-256, or another name for something that is not
    a finished blob (a crash's leftover), which only `delete` accepts."""

    id: str
    size: int
    modified: float  # seconds since the epoch, renewed by every put of the same bytes

    @property
    def sha256(self) -> str | None:
        return self.id if is_sha256(self.id) else None


class BlobStore(Protocol):
    """Content-addressed storage. Implementations must be picklable: the PDF worker process
    reads logos through the store it is sent."""

    def put(self, data: bytes | BinaryIO, *, durable: bool = True) -> str:
        """Store bytes (or a binary stream's rest) and return their SHA-256 hex; storing the
        same bytes again keeps one blob and renews its modified time. The blob is whole or
        absent, never partly written; `durable=False` (for files that can be made again)
        lets a crash lose it."""

    def open(self, sha256: str) -> BinaryIO:
        """The blob as a binary stream (the caller closes it). BlobNotFound if absent."""

    def info(self, sha256: str) -> BlobInfo:
        """BlobNotFound if absent."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, id: str) -> None:
        """Remove a blob or leftover by the id `iter_blobs` gave; absent is not an error."""

    def iter_blobs(self) -> Iterator[BlobInfo]:
        """Everything stored, leftovers included, in no particular order."""


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None


def checked_sha256(sha256: str) -> str:
    if not is_sha256(sha256):
        raise ValueError(f"Not a SHA-256 hex digest: {sha256!r}")
    return sha256


class LocalBlobStore:
    """Blobs in a folder: root/ab/cd/<sha256>. Writes go to root/.incoming first and are
    renamed into place, so a reader never sees half a file."""

    INCOMING = ".incoming"

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def put(self, data: bytes | BinaryIO, *, durable: bool = True) -> str:
        if isinstance(data, (bytes, bytearray, memoryview)):
            sha = hashlib.sha256(data).hexdigest()
            if self._renew(sha):
                return sha
        incoming = self.root / self.INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(descriptor, "wb") as file:
                sha = write_hashed(file, data)
                if durable:
                    file.flush()
                    # Without this, a crash could leave a short file under a valid name,
                    # which put() would then treat as already stored for good.
                    os.fsync(file.fileno())
            if self._renew(sha):
                os.unlink(temporary)
                return sha
            target = self._path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha

    def _renew(self, sha: str) -> bool:
        """Mark an already stored blob as just written, so collect-files' grace period starts
        again for the row about to name it. False if it is not stored."""
        try:
            os.utime(self._path(sha))
        except FileNotFoundError:
            return False
        return True

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self._path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def info(self, sha256: str) -> BlobInfo:
        try:
            stat = self._path(sha256).stat()
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None
        return BlobInfo(sha256, stat.st_size, stat.st_mtime)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def delete(self, id: str) -> None:
        if is_sha256(id):
            path = self._path(id)
        else:
            name = id.removeprefix(f"{self.INCOMING}/")
            if name == id or not name or "/" in name or name.startswith("."):
                raise ValueError(f"Not an id of this store: {id!r}")
            path = self.root / self.INCOMING / name
        path.unlink(missing_ok=True)

    def iter_blobs(self) -> Iterator[BlobInfo]:
        for path in self.root.glob("*/*/*"):
            if is_sha256(path.name) and path.is_file():
                yield self._info(path.name, path)
        for path in (self.root / self.INCOMING).glob("*"):
            yield self._info(f"{self.INCOMING}/{path.name}", path)

    @staticmethod
    def _info(id: str, path: Path) -> BlobInfo:
        stat = path.stat()
        return BlobInfo(id, stat.st_size, stat.st_mtime)

    def _path(self, sha256: str) -> Path:
        sha = checked_sha256(sha256)
        return self.root / sha[:2] / sha[2:4] / sha


def write_hashed(file: BinaryIO, data: bytes | BinaryIO) -> str:
    """Write bytes or a stream's rest to `file`; the SHA-256 hex of what was written."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        file.write(data)
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    while chunk := data.read(_CHUNK):
        digest.update(chunk)
        file.write(chunk)
    return digest.hexdigest()


# --- the app's store ----------------------------------------------------------------------

PRESIGNED_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")
STORAGE_URLS = "file: (the data dir's files/ folder), file:///a/folder or s3://bucket/prefix"


def store_from_url(url: str, *, data_dir: str | os.PathLike, endpoint_url: str | None = None) -> BlobStore:
    """The store a PORTAL_STORAGE_URL names (see STORAGE_URLS; "" is file:); endpoint_url is
    the S3 API's address for MinIO, Ceph RGW, R2 (None: AWS). ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        from portal.storage_s3 import S3BlobStore  # only S3 installs load boto3

        return S3BlobStore.from_url(url, endpoint_url=endpoint_url)
    if parts.scheme in ("", "file") and not (parts.netloc or parts.query or parts.fragment):
        if not parts.path:
            return LocalBlobStore(Path(data_dir) / "files")
        if parts.scheme == "file" and parts.path.startswith("/"):
            return LocalBlobStore(parts.path)
    raise ValueError(f"Unknown PORTAL_STORAGE_URL {url!r}: use {STORAGE_URLS}")


def init_app(app: Flask) -> None:
    """Open the configured store (STORAGE_URL); a URL or setting it cannot use fails at start-up."""
    store = store_from_url(app.config.get("STORAGE_URL", ""), data_dir=app.config["DATA_DIR"],
                           endpoint_url=app.config.get("S3_ENDPOINT_URL"))
    presigned = app.config.get("S3_PRESIGNED_DOWNLOADS")
    if presigned and not hasattr(store, "presigned_url"):
        raise ValueError("PORTAL_S3_PRESIGNED_DOWNLOADS=1 needs an s3:// PORTAL_STORAGE_URL")
    app.extensions["blob_store"] = store
    # Signing a URL needs credentials: without them this fails now, not on every page.
    app.extensions["blob_download_origin"] = store.download_origin if presigned else None


def blob_store(app: Flask) -> BlobStore:
    return app.extensions["blob_store"]


def current_store() -> BlobStore:
    return blob_store(current_app)


def presigned_download_origin(app: Flask) -> str | None:
    """Where downloads redirect to when they are presigned (the pages' CSP must let a form's
    POST go there); None when they are streamed."""
    return app.extensions["blob_download_origin"]


def read(store: BlobStore, sha256: str) -> bytes:
    """A whole blob (BlobNotFound if absent)."""
    with store.open(sha256) as stream:
        return stream.read()


def send_blob(sha256: str, *, mimetype: str, etag: str | bool, max_age: int, **options):
    """A response streaming a blob, with its length, Last-Modified, ETag and conditional
    and range requests as for a file on disk; 404 if it is not stored. With
    PORTAL_S3_PRESIGNED_DOWNLOADS a download (as_attachment) is instead a redirect to the
    bucket, so the worker does not carry the bytes; images shown in pages keep streaming
    (the CSP allows images from the portal only, and they are small and cached)."""
    store = current_store()
    try:
        info = store.info(sha256)
        if options.get("as_attachment") and presigned_download_origin(current_app):
            return _presigned_redirect(store, sha256, mimetype=mimetype, max_age=max_age, **options)
        # A 304 sends no body: a browser revalidating its copy costs no read (on S3, no GET).
        unchanged = not is_resource_modified(request.environ, etag=etag if isinstance(etag, str) else None,
                                             last_modified=datetime.fromtimestamp(info.modified, UTC))
        stream = io.BytesIO() if unchanged else store.open(sha256)
    except BlobNotFound:
        raise NotFound() from None
    response = send_file(stream, mimetype=mimetype, etag=etag, max_age=max_age, conditional=False,
                         last_modified=info.modified, **options)
    response.content_length = info.size
    if request.range:
        # Werkzeug's wrapper can seek to a range's start; a server's own (gunicorn's) cannot,
        # and werkzeug would read the blob from its first byte (from S3: download it) to get there.
        response.response = FileWrapper(stream)
    try:
        return response.make_conditional(request.environ, accept_ranges=True, complete_length=info.size)
    except RequestedRangeNotSatisfiable:
        stream.close()
        raise


def _presigned_redirect(store, sha256: str, *, mimetype: str, max_age: int, **options):
    # Werkzeug writes the headers a download gets (type, RFC 6266 disposition, caching);
    # the bucket is asked to answer the presigned URL with the same ones.
    download = send_file(io.BytesIO(), mimetype=mimetype, max_age=max_age, etag=False, conditional=False, **options)
    download.cache_control.private = True  # it was sent after the portal's access checks
    url = store.presigned_url(sha256, {name: download.headers[name] for name in PRESIGNED_RESPONSE_HEADERS})
    response = redirect(url, 303)  # the downloads are POSTed forms: the browser GETs the URL
    response.cache_control.no_store = True  # the URL expires in a minute
    return response
