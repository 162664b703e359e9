"""The contract every BlobStore backend keeps (portal/storage.py): content-addressed put,
open as a stream, exists, info, delete and iteration, whole blobs or none. A new backend
(an S3-compatible bucket) joins BACKENDS and must pass every test here unchanged."""
import hashlib
import io
import pickle
import time

import pytest

from portal.storage import BlobNotFound, LocalBlobStore, read


def _local(request):
    return LocalBlobStore(request.getfixturevalue("tmp_path") / "blobs")


def _s3(request):
    return request.getfixturevalue("s3_store")


BACKENDS = {"local": _local, "s3": _s3}
NOT_A_SHA = ["../x", "", "0" * 63, "A" * 64, "0" * 64 + "/..", "../../" + "0" * 58, "g" * 64, None, 42]


@pytest.fixture(params=sorted(BACKENDS))
def store(request):
    return BACKENDS[request.param](request)


def ids(store) -> set[str]:
    return {blob.id for blob in store.iter_blobs()}


class Interrupted(Exception):
    pass


class FailingStream(io.RawIOBase):
    """Gives some bytes, then fails: a client that went away mid-upload."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.calls += 1
        if self.calls > 1:
            raise Interrupted()
        buffer[:4] = b"half"
        return 4


def test_put_returns_the_sha256_and_open_gives_the_bytes_back(store):
    data = b"partner logo bytes"
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.exists(sha)
    with store.open(sha) as stream:
        assert stream.read() == data
    assert read(store, sha) == data


def test_a_stream_is_stored_like_its_bytes(store):
    data = bytes(range(256)) * 9000  # more than one chunk
    sha = store.put(io.BytesIO(data))
    assert sha == hashlib.sha256(data).hexdigest() == store.put(data)
    assert read(store, sha) == data
    assert ids(store) == {sha}


def test_the_same_bytes_twice_are_one_blob(store):
    sha = store.put(b"same")
    assert store.put(b"same") == sha
    assert store.put(io.BytesIO(b"same")) == sha
    assert ids(store) == {sha}


def test_putting_stored_bytes_again_renews_their_time(store):
    """collect-files keeps blobs younger than a day: a row about to name an old, unreferenced
    blob must not lose it to the collector."""
    sha = store.put(b"an old orphan, uploaded again")
    first = store.info(sha).modified
    time.sleep(0.02)
    store.put(b"an old orphan, uploaded again")
    assert store.info(sha).modified > first


def test_info_gives_size_and_time(store):
    before = time.time() - 1
    sha = store.put(b"twelve bytes")
    info = store.info(sha)
    assert (info.id, info.sha256, info.size) == (sha, sha, 12)
    assert before <= info.modified <= time.time() + 1


def test_an_unknown_blob_is_not_found(store):
    unknown = "0" * 64
    assert not store.exists(unknown)
    with pytest.raises(BlobNotFound):
        store.open(unknown)
    with pytest.raises(BlobNotFound):
        store.info(unknown)
    store.delete(unknown)  # absent is not an error


@pytest.mark.parametrize("bad_sha", NOT_A_SHA)
def test_anything_but_a_sha256_hex_is_refused(store, bad_sha):
    for operation in (store.exists, store.open, store.info):
        with pytest.raises(ValueError):
            operation(bad_sha)


@pytest.mark.parametrize("bad_id", ["", "../x", "0" * 63, "A" * 64])
def test_delete_refuses_ids_the_store_did_not_give(store, bad_id):
    with pytest.raises(ValueError):
        store.delete(bad_id)


def test_delete_removes_one_blob(store):
    keep, gone = store.put(b"keep"), store.put(b"gone")
    store.delete(gone)
    assert not store.exists(gone) and store.exists(keep)
    assert ids(store) == {keep}


def test_iteration_lists_every_blob_with_its_size(store):
    blobs = {store.put(data): len(data) for data in (b"a", b"bb", b"ccc")}
    assert {blob.id: blob.size for blob in store.iter_blobs()} == blobs


def test_an_interrupted_put_stores_no_blob(store):
    with pytest.raises(Interrupted):
        store.put(io.BufferedReader(FailingStream()))
    assert not store.exists(hashlib.sha256(b"half").hexdigest())
    assert all(blob.sha256 is None for blob in store.iter_blobs())  # a leftover at most
    for blob in store.iter_blobs():
        store.delete(blob.id)  # what iteration gives, delete takes
    assert ids(store) == set()


def test_a_store_survives_pickling(store):
    """The PDF worker process gets the store it reads logos from."""
    sha = store.put(b"logo")
    assert read(pickle.loads(pickle.dumps(store)), sha) == b"logo"


def test_a_stream_reads_on_from_where_it_is_moved(store):
    """Range downloads seek the stream (portal.storage.send_blob)."""
    data = bytes(range(256)) * 4
    with store.open(store.put(data)) as stream:
        assert stream.seekable()
        assert stream.read(10) == data[:10]
        stream.seek(1000)
        assert (stream.tell(), stream.read(10)) == (1000, data[1000:1010])
        stream.seek(-4, io.SEEK_END)
        assert stream.read() == data[-4:]
        stream.seek(0)
        assert stream.read() == data
