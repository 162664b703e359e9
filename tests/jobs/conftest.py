"""Jobs with a real Redis queue (DB 5 of the local Redis, emptied before and after each test)
and a real RQ worker in the test process; or a Redis that is down (a closed port)."""
import pytest

from job_support import CLOSED_PORT_URL, REDIS_TEST_URL
from queue_support import redis_queue, use_redis, worker_for


@pytest.fixture
def queue(app):
    """The app with a Redis queue; yields the connection to DB 5."""
    with redis_queue(app, REDIS_TEST_URL) as connection:
        yield connection


@pytest.fixture
def redis_down(app):
    use_redis(app, CLOSED_PORT_URL)


@pytest.fixture
def run_worker(app, queue):
    """Run the queued jobs with RQ's in-process worker, until the queue is empty."""
    return worker_for(app, queue)
