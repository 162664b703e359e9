"""An S3 endpoint for the tests: moto's standalone server on a free local port, started once
per session, with one bucket (tests/conftest.py makes the fixture visible everywhere)."""
import boto3
import pytest
from moto.server import ThreadedMotoServer

BUCKET = "partnerhouse-test"


@pytest.fixture(scope="session")
def s3_endpoint():
    """The server's URL; boto3 finds moto's (any) credentials in the environment."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        boto3.session.Session().client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    server.stop()
