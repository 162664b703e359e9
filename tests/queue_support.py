"""A real Redis queue for a test (one DB of the local Redis each folder owns, emptied before
and after) and RQ's in-process worker: shared by tests/jobs and tests/training."""
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
import rq

from portal import jobs


def use_redis(app, url: str) -> None:
    app.config["REDIS_URL"] = url
    jobs.init_app(app)


@contextmanager
def redis_queue(app, url: str) -> Iterator[redis.Redis]:
    """The app with a Redis queue at `url`; yields the connection to it."""
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    use_redis(app, url)
    yield connection
    connection.flushdb()
    connection.close()
    app.extensions["jobs.redis"].close()


def worker_for(app, connection: redis.Redis) -> Callable[[], None]:
    """Runs the queued jobs with RQ's in-process worker, until the queue is empty."""

    def _run() -> None:
        with app.app_context():
            rq.SimpleWorker([rq.Queue(jobs.QUEUE, connection=connection)], connection=connection).work(burst=True)

    return _run
