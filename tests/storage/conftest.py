"""The S3 store's fixtures: each test gets a prefix of its own in the session's bucket
(tests/s3_server.py starts the server)."""
import socket
import uuid

import pytest

from portal.storage_s3 import S3BlobStore
from s3_server import BUCKET


@pytest.fixture
def s3_url(s3_endpoint) -> str:
    return f"s3://{BUCKET}/{uuid.uuid4().hex}/files"


@pytest.fixture
def s3_store(s3_endpoint, s3_url) -> S3BlobStore:
    return S3BlobStore.from_url(s3_url, endpoint_url=s3_endpoint)


@pytest.fixture
def s3_env(request, monkeypatch, s3_endpoint, s3_url):
    """Apps made after this use the S3 store, configured as an operator would. The session's
    template for the test's app is made first: made under these settings, the demo would put
    its files in this test's bucket, and the tests after it would find none."""
    request.getfixturevalue("demo_template" if "demo" in request.fixturenames else "schema_template")
    monkeypatch.setenv("PORTAL_STORAGE_URL", s3_url)
    monkeypatch.setenv("PORTAL_S3_ENDPOINT_URL", s3_endpoint)


@pytest.fixture
def dead_endpoint() -> str:
    """A local port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
