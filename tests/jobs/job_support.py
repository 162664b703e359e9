"""Helpers for the job tests: what the queue and the jobs table hold."""
import rq
import sqlalchemy as sa

from portal import jobs
from portal.extensions import db

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


def queued_on_redis(connection) -> int:
    return rq.Queue(jobs.QUEUE, connection=connection).count


def job_row(app, job_id: int) -> jobs.Job:
    with app.app_context():
        job = db.session.get(jobs.Job, job_id)
        db.session.expunge(job)
        return job


def all_jobs(app, kind: str | None = None) -> list[jobs.Job]:
    with app.app_context():
        stmt = sa.select(jobs.Job).order_by(jobs.Job.id)
        rows = db.session.scalars(stmt if kind is None else stmt.where(jobs.Job.kind == kind)).all()
        db.session.expunge_all()
        return rows
