"""The BlobStore in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Cloudflare R2), through
boto3, the reference S3 client, which speaks to any of them given an endpoint URL.

Kept apart from portal/storage.py so that an install on the local folder never imports boto3
(measured here: half a second and 20 MB in every worker and CLI run).

Blobs are objects at <prefix>ab/cd/<sha256>, as in the local store. A put hashes the bytes
first (a stream goes through a spooled temporary file), then either renews an object that is
already stored or uploads it once under its hash: one PutObject, or a multipart upload that
s3transfer aborts when it fails, so an object is whole or absent and no half-written key is
ever listed. (A process killed during a multipart upload leaves parts that list_objects does
not show: the bucket's AbortIncompleteMultipartUpload lifecycle rule removes them.)
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, IncompleteReadError
from botocore.exceptions import ConnectionError as BotoConnectionError

from portal.storage import BlobInfo, BlobNotFound, StorageUnavailable, checked_sha256, is_sha256, write_hashed

# A dead endpoint must fail a request in seconds (a 503 page), not hang a worker for minutes.
CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=15,
    retries={"total_max_attempts": 2, "mode": "standard"},
    # Presigned URLs otherwise use SigV2, which newer AWS regions and most S3-compatible stores refuse.
    signature_version="s3v4",
    # boto3 1.36 began sending CRC checksums on every upload, which several S3-compatible
    # stores refuse; ask for them only where S3 requires them.
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)
# Uploads above this go through a multipart upload; its size in memory per upload thread.
TRANSFER_CONFIG = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a streamed put longer than this is spooled to disk
PRESIGNED_SECONDS = 60  # a redirected browser follows at once
# Exact time of the last put: LastModified has whole seconds only, and a renewal must show.
STORED_AT = "stored-at"
CONTENT_TYPE = "application/octet-stream"


class S3BlobStore:
    """Blobs in `bucket` under `prefix` ("" or ending in "/"). Picklable: it holds names
    only, and finds its process's boto3 client when it needs one."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None) -> None:
        if not bucket or (prefix and not prefix.endswith("/")):
            raise ValueError(f"Not a bucket and key prefix: {bucket!r}, {prefix!r}")
        self.bucket, self.prefix, self.endpoint_url = bucket, prefix, endpoint_url

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None = None) -> S3BlobStore:
        """s3://bucket or s3://bucket/some/prefix."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"PORTAL_STORAGE_URL {url!r} is not s3://bucket or s3://bucket/prefix")
        prefix = parts.path.strip("/")
        return cls(parts.netloc, f"{prefix}/" if prefix else "", endpoint_url=endpoint_url)

    def __repr__(self) -> str:
        return f"S3BlobStore({self.bucket!r}, {self.prefix!r}, endpoint_url={self.endpoint_url!r})"

    @property
    def client(self):
        return _client_for(self.endpoint_url)

    # --- the BlobStore interface -----------------------------------------------------------

    def put(self, data: bytes | BinaryIO, *, durable: bool = True) -> str:
        """`durable` changes nothing: S3 keeps every object it has acknowledged."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            sha = hashlib.sha256(data).hexdigest()
            if not self._renew(sha):
                self._upload(io.BytesIO(data), sha)
            return sha
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            sha = write_hashed(spool, data)
            if not self._renew(sha):
                spool.seek(0)
                self._upload(spool, sha)
        return sha

    def open(self, sha256: str) -> BinaryIO:
        return io.BufferedReader(_ObjectReader(self, self._key(sha256), sha256), buffer_size=64 * 1024)

    def info(self, sha256: str) -> BlobInfo:
        with s3_errors(sha256):
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        stored_at = head["Metadata"].get(STORED_AT)
        return BlobInfo(sha256, head["ContentLength"],
                        float(stored_at) if stored_at else head["LastModified"].timestamp())

    def exists(self, sha256: str) -> bool:
        try:
            self.info(sha256)
        except BlobNotFound:
            return False
        return True

    def delete(self, id: str) -> None:
        """Only blobs: nothing else is ever written under the prefix (see the module's notes)."""
        with s3_errors(id):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(id))

    def iter_blobs(self) -> Iterator[BlobInfo]:
        """Blobs as S3 lists them: `modified` is LastModified, in whole seconds."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        with s3_errors():
            for page in pages:
                for item in page.get("Contents", ()):
                    sha = item["Key"].rpartition("/")[2]
                    if is_sha256(sha) and item["Key"] == self._key(sha):
                        yield BlobInfo(sha, item["Size"], item["LastModified"].timestamp())

    # --- downloads --------------------------------------------------------------------------

    def presigned_url(self, sha256: str, response_headers: dict[str, str]) -> str:
        """A URL that fetches the blob for the next PRESIGNED_SECONDS without credentials;
        S3 answers it with these headers (Content-Type, Content-Disposition, Cache-Control)."""
        params = {f"Response{name.replace('-', '')}": value for name, value in response_headers.items()}
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(sha256), **params},
            ExpiresIn=PRESIGNED_SECONDS)

    @property
    def download_origin(self) -> str:
        """The scheme and host presigned URLs point at (virtual-hosted or path style alike)."""
        url = urlsplit(self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": f"{self.prefix}origin"}, ExpiresIn=1))
        return f"{url.scheme}://{url.netloc}"

    # --- internals --------------------------------------------------------------------------

    def _key(self, sha256: str) -> str:
        sha = checked_sha256(sha256)
        return f"{self.prefix}{sha[:2]}/{sha[2:4]}/{sha}"

    def _renew(self, sha: str) -> bool:
        """Mark a stored blob as just written (collect-files' grace period starts again for
        the row about to name it) by copying it onto itself with a new time: one request,
        and False if it is not stored."""
        key = self._key(sha)
        try:
            with s3_errors(sha):
                self.client.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                                        MetadataDirective="REPLACE", Metadata=_stored_now(), ContentType=CONTENT_TYPE)
        except BlobNotFound:
            return False
        return True

    def _upload(self, body: BinaryIO, sha: str) -> None:
        with s3_errors(sha):
            self.client.upload_fileobj(body, self.bucket, self._key(sha), Config=TRANSFER_CONFIG,
                                       ExtraArgs={"Metadata": _stored_now(), "ContentType": CONTENT_TYPE})


_clients: dict[tuple[int, str | None], object] = {}
_clients_lock = threading.Lock()


def _client_for(endpoint_url: str | None):
    """One client per process and endpoint (clients are thread-safe). Making one loads S3's
    API model, a fifth of a second: too slow per store, and the PDF worker unpickles a store
    for every render. Keyed by process too: a client inherited through fork would share
    its parent's sockets."""
    key = (os.getpid(), endpoint_url)
    with _clients_lock:  # boto3 sessions are not thread-safe
        if key not in _clients:
            _clients[key] = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=CLIENT_CONFIG)
        return _clients[key]


def _stored_now() -> dict[str, str]:
    # Wall time, as the local store's file times: collect-files compares it with time.time().
    return {STORED_AT: repr(time.time())}


@contextmanager
def s3_errors(sha256: str | None = None):
    """S3's answers as the store's: a missing object is BlobNotFound; an endpoint that cannot
    be reached, times out or answers 5xx (after the client's retries) is StorageUnavailable.
    Anything else (bad credentials, a missing bucket) is a configuration error and stays one."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            raise BlobNotFound(sha256) from None
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            raise StorageUnavailable(str(error)) from error
        raise
    except (BotoConnectionError, HTTPClientError, IncompleteReadError) as error:  # timeouts, a body cut off
        raise StorageUnavailable(str(error)) from error


class _ObjectReader(io.RawIOBase):
    """An object as a seekable stream that never holds more than a read's worth: it streams
    get_object's Body, and after a seek streams again from the new position (a ranged GET),
    so a range download fetches only its bytes."""

    def __init__(self, store: S3BlobStore, key: str, sha256: str) -> None:
        self._store, self._key, self._sha = store, key, sha256
        self._position, self._body = 0, None
        # Now, not at the first read: an absent blob is BlobNotFound at open, as the interface says.
        self._body, self._size = self._get()

    def _get(self):
        """The object's Body from the current position, and that part's length."""
        with s3_errors(self._sha):
            ranged = {"Range": f"bytes={self._position}-"} if self._position else {}
            response = self._store.client.get_object(Bucket=self._store.bucket, Key=self._key, **ranged)
        return response["Body"], response["ContentLength"]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        position = max(base + offset, 0)
        if position != self._position:
            self._drop_body()
            self._position = position
        return position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        if self._body is None:
            self._body, _ = self._get()
        with s3_errors(self._sha):
            chunk = self._body.read(len(buffer))
        buffer[:len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)

    def close(self) -> None:
        self._drop_body()
        super().close()

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
