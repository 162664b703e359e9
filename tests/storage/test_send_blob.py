"""Downloads stream a blob from the store with what a file on disk would get: its length,
Last-Modified, the ETag given, 304 for a matching ETag, ranges; 404 when it is gone. Every
test runs on the local folder and on an S3 bucket, each configured as an operator would."""
import pytest
from flask import request
from gunicorn.http.wsgi import FileWrapper as GunicornFileWrapper
from werkzeug.exceptions import NotFound

from portal.storage import blob_store, send_blob

DATA = bytes(range(100))


@pytest.fixture(params=["local", "s3"])
def backend(request) -> str:
    if request.param == "s3":
        request.getfixturevalue("s3_env")
    return request.param


@pytest.fixture
def app(backend, app):
    """The app made after its backend is configured."""
    return app


def respond(app, sha: str, headers: dict | None = None, environ: dict | None = None, **options):
    with app.test_request_context(headers=headers or {}, environ_overrides=environ or {}):
        response = send_blob(sha, mimetype="image/png", etag=options.pop("etag", sha), max_age=60, **options)
        body = b"".join(response.get_app_iter(request.environ))  # what a WSGI server sends
        response.close()
        return response, body


def test_a_blob_is_sent_with_its_length_and_etag(app):
    sha = blob_store(app).put(DATA)
    response, body = respond(app, sha)
    assert (response.status_code, body, response.content_length) == (200, DATA, 100)
    assert response.headers["ETag"] == f'"{sha}"' and response.last_modified is not None
    assert response.headers["Accept-Ranges"] == "bytes"


def test_a_matching_etag_is_not_modified_and_the_blob_is_not_read(app, monkeypatch):
    store = blob_store(app)
    sha = store.put(DATA)
    monkeypatch.setattr(store, "open", lambda sha: pytest.fail("a 304 opened the blob"))
    response, body = respond(app, sha, {"If-None-Match": f'"{sha}"'})
    assert response.status_code == 304 and body == b"" and response.headers["ETag"] == f'"{sha}"'


def test_an_unchanged_blob_without_an_etag_is_not_modified_by_its_date(app):
    sha = blob_store(app).put(DATA)
    first, _ = respond(app, sha, etag=False)
    response, body = respond(app, sha, {"If-Modified-Since": first.headers["Last-Modified"]}, etag=False)
    assert response.status_code == 304 and body == b""


def test_a_changed_etag_sends_the_blob(app):
    sha = blob_store(app).put(DATA)
    response, body = respond(app, sha, {"If-None-Match": '"an older version"'})
    assert (response.status_code, body) == (200, DATA)


def test_a_range_gives_part_of_the_blob(app):
    sha = blob_store(app).put(DATA)
    response, body = respond(app, sha, {"Range": "bytes=10-19"})
    assert response.status_code == 206 and body == DATA[10:20]
    assert response.headers["Content-Range"] == "bytes 10-19/100"


def test_an_attachment_keeps_its_name(app):
    sha = blob_store(app).put(DATA)
    response, _ = respond(app, sha, as_attachment=True, download_name="Q3 deck.png", etag=False)
    assert response.headers["Content-Disposition"] == 'attachment; filename="Q3 deck.png"'
    assert "ETag" not in response.headers


def test_a_missing_blob_is_not_found(app):
    with app.test_request_context(), pytest.raises(NotFound):
        send_blob("0" * 64, mimetype="image/png", etag=False, max_age=0)



class CountingReads:
    """A blob's stream that counts the bytes read from the store."""

    def __init__(self, stream) -> None:
        self.stream, self.bytes_read = stream, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def __getattr__(self, name):
        return getattr(self.stream, name)


def test_a_range_reads_only_its_bytes_even_under_a_file_wrapper_that_cannot_seek(app, monkeypatch):
    """gunicorn's wsgi.file_wrapper has no seek: werkzeug would read (from S3: download) the
    blob from its first byte to reach the range."""
    store = blob_store(app)
    data = bytes(range(256)) * 4096  # 1 MiB
    sha = store.put(data)
    opened = []

    def open_counted(sha, open=store.open):
        opened.append(CountingReads(open(sha)))
        return opened[-1]

    monkeypatch.setattr(store, "open", open_counted)
    response, body = respond(app, sha, {"Range": f"bytes={len(data) - 10}-"},
                             {"wsgi.file_wrapper": GunicornFileWrapper})
    assert response.status_code == 206 and body == data[-10:]
    assert opened[0].bytes_read == 10
