"""What only the S3 backend does: its keys in the bucket, multipart uploads that fail
without a trace, ranged reads, and an endpoint that is down or failing (StorageUnavailable,
which the web layer answers with 503)."""
import io
import multiprocessing
import time
from contextlib import contextmanager

import pytest
from botocore.awsrequest import AWSResponse
from urllib3 import HTTPResponse

from portal.storage import StorageUnavailable, read
from portal.storage_s3 import TRANSFER_CONFIG, S3BlobStore


class Interrupted(Exception):
    pass


@contextmanager
def hooked(store: S3BlobStore, event: str, handler):
    """Run handler on a botocore event of the store's client (which the process shares)."""
    store.client.meta.events.register(event, handler)
    try:
        yield
    finally:
        store.client.meta.events.unregister(event, handler)


def keys(store: S3BlobStore) -> list[str]:
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", ()) if item["Key"].startswith(store.prefix))


def test_blobs_are_objects_under_the_prefix_by_their_sha256(s3_store):
    sha = s3_store.put(b"partner logo bytes")
    s3_store.put(io.BytesIO(b"partner logo bytes"))
    assert keys(s3_store) == [f"{s3_store.prefix}{sha[:2]}/{sha[2:4]}/{sha}"]


def test_other_objects_and_prefixes_are_not_blobs_of_this_store(s3_store, s3_endpoint, s3_url):
    sha = s3_store.put(b"mine")
    neighbour = S3BlobStore.from_url(f"{s3_url}-neighbour", endpoint_url=s3_endpoint)
    neighbour.put(b"the neighbour's")
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=f"{s3_store.prefix}notes.txt", Body=b"not a blob")
    assert [blob.id for blob in s3_store.iter_blobs()] == [sha]


def test_putting_stored_bytes_again_renews_their_time_in_the_listing_too(s3_store):
    """collect-files reads the times iteration gives: S3's LastModified, in whole seconds."""
    sha = s3_store.put(b"an old orphan, uploaded again")
    [first] = s3_store.iter_blobs()
    time.sleep(1.1)
    s3_store.put(b"an old orphan, uploaded again")
    [renewed] = s3_store.iter_blobs()
    assert renewed.id == sha and renewed.modified > first.modified


def test_a_failed_multipart_upload_is_aborted(s3_store):
    data = bytes(range(256)) * (TRANSFER_CONFIG.multipart_threshold // 256 + 1)  # over the threshold

    def fail_second_part(params, **kwargs):
        if params["PartNumber"] == 2:
            raise Interrupted()

    with hooked(s3_store, "before-parameter-build.s3.UploadPart", fail_second_part), pytest.raises(Interrupted):
        s3_store.put(io.BytesIO(data))
    assert keys(s3_store) == []
    assert s3_store.client.list_multipart_uploads(Bucket=s3_store.bucket).get("Uploads", []) == []
    assert read(s3_store, s3_store.put(io.BytesIO(data))) == data  # and a retry stores it whole


def test_a_read_after_a_seek_asks_only_for_the_rest(s3_store):
    sha = s3_store.put(bytes(1000))
    ranges = []
    with hooked(s3_store, "before-parameter-build.s3.GetObject",
                lambda params, **kwargs: ranges.append(params.get("Range"))), s3_store.open(sha) as stream:
        stream.seek(900)
        assert len(stream.read()) == 100
    assert ranges == [None, "bytes=900-"]


def test_a_store_sent_to_another_process_reads_there(s3_store):
    """As the PDF worker gets it: pickled, with no client, which it makes on first use."""
    sha = s3_store.put(b"a logo for the PDF worker")
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(read, (s3_store, sha)) == b"a logo for the PDF worker"


@pytest.mark.parametrize("url", ["s3://", "s3:///prefix", "s3://bucket/p?x=1", "s3://bucket/p#x"])
def test_a_url_without_a_bucket_or_with_more_is_refused(url):
    with pytest.raises(ValueError):
        S3BlobStore.from_url(url)


# --- an endpoint that is down or failing -------------------------------------------------------


def every_operation(store: S3BlobStore, sha: str):
    yield lambda: store.put(b"an upload")
    yield lambda: store.put(io.BytesIO(b"an upload"))
    yield lambda: store.open(sha)
    yield lambda: store.info(sha)
    yield lambda: store.exists(sha)
    yield lambda: store.delete(sha)
    yield lambda: list(store.iter_blobs())


def test_an_unreachable_endpoint_is_storage_unavailable(s3_url, dead_endpoint):
    store = S3BlobStore.from_url(s3_url, endpoint_url=dead_endpoint)
    for operation in every_operation(store, "0" * 64):
        with pytest.raises(StorageUnavailable):
            operation()


def internal_error(request, **kwargs):
    body = b"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"
    return AWSResponse(request.url, 500, {}, HTTPResponse(io.BytesIO(body), status=500, preload_content=False))


def test_server_errors_are_storage_unavailable(s3_store):
    sha = s3_store.put(b"stored before the outage")
    with hooked(s3_store, "before-send.s3", internal_error):
        for operation in every_operation(s3_store, sha):
            with pytest.raises(StorageUnavailable):
                operation()


@pytest.mark.parametrize("size", [10, TRANSFER_CONFIG.multipart_threshold + 1])
def test_an_upload_the_server_fails_is_storage_unavailable_and_stores_nothing(s3_store, size):
    with (hooked(s3_store, "before-send.s3.PutObject", internal_error),
          hooked(s3_store, "before-send.s3.UploadPart", internal_error), pytest.raises(StorageUnavailable)):
        s3_store.put(io.BytesIO(bytes(size)))
    assert keys(s3_store) == []
    assert s3_store.client.list_multipart_uploads(Bucket=s3_store.bucket).get("Uploads", []) == []

