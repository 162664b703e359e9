"""Jobs with a real Redis queue (DB 5 of the local Redis, emptied before and after each test)
and a real RQ worker in the test process; or a Redis that is down (a closed port)."""
import pytest
import redis
import rq

from job_support import CLOSED_PORT_URL, REDIS_TEST_URL
from portal import jobs


def _use_redis(app, url: str) -> None:
    app.config["REDIS_URL"] = url
    jobs.init_app(app)


@pytest.fixture
def queue(app):
    """The app with a Redis queue; yields the connection to DB 5."""
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    _use_redis(app, REDIS_TEST_URL)
    yield connection
    connection.flushdb()
    connection.close()
    app.extensions["jobs.redis"].close()


@pytest.fixture
def redis_down(app):
    _use_redis(app, CLOSED_PORT_URL)


@pytest.fixture
def run_worker(app, queue):
    """Run the queued jobs with RQ's in-process worker, until the queue is empty."""

    def _run() -> None:
        with app.app_context():
            rq.SimpleWorker([rq.Queue(jobs.QUEUE, connection=queue)], connection=queue).work(burst=True)

    return _run
