"""Downloads stream a blob from the store with what a file on disk would get: its length,
Last-Modified, the ETag given, 304 for a matching ETag, ranges; 404 when it is gone."""
import pytest
from flask import request
from werkzeug.exceptions import NotFound

from portal.storage import blob_store, send_blob

DATA = bytes(range(100))


def respond(app, sha: str, headers: dict | None = None, **options):
    with app.test_request_context(headers=headers or {}):
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


def test_a_matching_etag_is_not_modified(app):
    sha = blob_store(app).put(DATA)
    response, body = respond(app, sha, {"If-None-Match": f'"{sha}"'})
    assert response.status_code == 304 and body == b""


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
