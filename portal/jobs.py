"""Background jobs. The `jobs` table is the truth; Redis (RQ) only carries job ids to workers.

`enqueue(kind, …)` writes a `queued` row in the caller's transaction. Once that transaction
commits (never before, so a worker always finds the row), the id goes on the Redis queue
(PORTAL_REDIS_URL) for `cli.py worker`; without a Redis URL, or when Redis cannot be
reached, the job runs right there instead, in an app context (and session) of its own:
nothing is lost and the answer simply waits for it, as it did before there were workers.

Every move is a compare-and-set (queued → running → done | failed), so a job delivered
twice runs once. Each kind says how long a run may take (RQ stops it then); a job whose
worker died leaves its row `running`, and once twice that time has passed the scheduler's
`retry_abandoned` puts it back on the queue once, then marks it failed with a message for
the person who asked. Periodic work (`run_scheduler_pass`) claims each task's next due time
with a compare-and-set in `periodic_runs`: of several schedulers, exactly one enqueues it.
"""
import enum
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
import rq
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.core import clock, workflow
from portal.core.access import get_or_404
from portal.core.errors import DomainError
from portal.core.models import User, _enum
from portal.extensions import db

__all__ = ["Job", "JobStatus", "PeriodicRun"]

log = logging.getLogger(__name__)

QUEUE = "partnerhouse"
DEFAULT_TIMEOUT = timedelta(minutes=5)  # how long a run of a kind that says nothing may take
MAX_ATTEMPTS = 2  # the first run and one retry
CONNECT_TIMEOUT = 2.0  # seconds: a web request finds out quickly that Redis is down
PENDING = "partnerhouse.jobs_to_start"  # session.info: (id, attempts) to start once the transaction commits
ERROR_LENGTH = 500
# For the person who asked (the page adds what to do next); the log has the details.
UNEXPECTED = "Something went wrong while doing this."
ABANDONED = "The worker doing this stopped twice before it finished."


class JobStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


UNFINISHED = (JobStatus.queued, JobStatus.running)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_status_started_at", "status", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), default=JobStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(ERROR_LENGTH))  # for the person who asked
    result: Mapped[dict | None] = mapped_column(sa.JSON)  # what it made, e.g. {"pdf_id": 7}
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    requested_by: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED


class PeriodicRun(db.Model):
    """When a periodic task is next due, and its latest job; the due time is claimed with a
    compare-and-set, so however many schedulers run, one enqueues each run."""

    __tablename__ = "periodic_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    next_due_at: Mapped[datetime]
    last_job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="SET NULL"))

    last_job: Mapped[Job | None] = relationship()


class JobFailed(DomainError):
    """A job cannot do what was asked (e.g. the PDF did not render); the message is for the
    person who asked. Its writes are rolled back; it is not retried."""


Kind = Callable[[Job], dict | None]


@dataclass(frozen=True)
class _Registered:
    run: Kind
    timeout: timedelta  # RQ stops a run that takes longer

    @property
    def abandoned_after(self) -> timedelta:
        """Still `running` this long after it started: its worker died."""
        return 2 * self.timeout


_kinds: dict[str, _Registered] = {}


def kind(name: str, *, timeout: timedelta = DEFAULT_TIMEOUT) -> Callable[[Kind], Kind]:
    """Register a job kind: `@jobs.kind("cobrand.pdf", timeout=timedelta(seconds=60))` on a
    function of the Job (read its `args` and `requested_by`) that returns what it made (JSON)
    or None. It runs in an app context of its own and may end its transaction (e.g. before
    slow work); its writes commit together with the job's `done`. A run is stopped after
    `timeout`, and counted abandoned after twice that: keep it short for what people wait on."""

    def register(function: Kind) -> Kind:
        _kinds[name] = _Registered(function, timeout)
        return function

    return register


def init_app(app: Flask) -> None:
    app.extensions["jobs.redis"] = (
        redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=CONNECT_TIMEOUT)
        if app.config["REDIS_URL"] else None)
    if not event.contains(Session, "after_commit", _start_committed):
        event.listen(Session, "after_commit", _start_committed)
        event.listen(Session, "after_soft_rollback", _forget_uncommitted)


# --- enqueueing ----------------------------------------------------------------------------------


def has_queue() -> bool:
    """Whether jobs go to workers (PORTAL_REDIS_URL is set), rather than run where enqueued."""
    return current_app.extensions["jobs.redis"] is not None


def abandoned_after(kind_name: str) -> timedelta:
    """How long a job of this kind may stay `running` before it counts as abandoned."""
    return _kinds[kind_name].abandoned_after


def enqueue(kind_name: str, *, requested_by: User | None = None, **args) -> Job:
    """A new job in the caller's transaction; it starts once that commits."""
    if kind_name not in _kinds:
        raise ValueError(f"no job kind {kind_name!r}")
    job = Job(kind=kind_name, args=args, requested_by=requested_by, status=JobStatus.queued)
    db.session.add(job)
    db.session.flush()
    _start_after_commit(job)
    return job


def _start_after_commit(job: Job) -> None:
    db.session.info.setdefault(PENDING, []).append((job.id, job.kind, job.attempts))


def _forget_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(PENDING, None)


def _start_committed(session: Session) -> None:
    for job_id, kind_name, attempts in session.info.pop(PENDING, ()):
        _start(job_id, kind_name, attempts)


def _start(job_id: int, kind_name: str, attempts: int) -> None:
    if not has_queue():
        perform(job_id)
        return
    try:
        rq.Queue(QUEUE, connection=current_app.extensions["jobs.redis"]).enqueue(perform, job_id, job_id=_queue_id(job_id, attempts),
                                                       job_timeout=int(_kinds[kind_name].timeout.total_seconds()),
                                                       result_ttl=0)
    except redis.RedisError as error:
        log.warning("job %s could not be queued (%s); running it here instead", job_id, error)
        perform(job_id)


def _queue_id(job_id: int, attempts: int) -> str:
    """The job's id on Redis for its next attempt: how the scheduler tells whether Redis
    still holds it."""
    return f"{QUEUE}-{job_id}-{attempts + 1}"


# --- running ------------------------------------------------------------------------------------


def perform(job_id: int) -> None:
    """Run a queued job (what RQ calls in the worker; inline, the web process does) in an app
    context of its own, so a session of its own. A job that is no longer queued (delivered
    twice, or retried meanwhile) is left alone."""
    with current_app.app_context():
        job = db.session.get(Job, job_id)
        if job is None or not _claim(job):
            db.session.rollback()
            return
        db.session.commit()
        _run(job)


def _claim(job: Job) -> bool:
    try:
        workflow.transition(job, JobStatus.queued, JobStatus.running,
                            {"attempts": Job.attempts + 1, "started_at": clock.now()})
    except workflow.WorkflowError:
        return False
    return True


def _run(job: Job) -> None:
    job_id, job_kind = job.id, job.kind
    try:
        result = _kinds[job_kind].run(job)
    except JobFailed as failure:
        db.session.rollback()
        _finish(job_id, JobStatus.failed, error=str(failure)[:ERROR_LENGTH])
    except Exception:
        log.exception("job %s (%s) failed", job_id, job_kind)
        db.session.rollback()
        _finish(job_id, JobStatus.failed, error=UNEXPECTED)
    else:
        _finish(job_id, JobStatus.done, result=result)


def _finish(job_id: int, status: JobStatus, **values) -> None:
    """Record the outcome, in one commit with what the job wrote. If the job is no longer
    ours (it took so long that it was given to another worker), all of it is rolled back."""
    try:
        workflow.transition(db.session.get(Job, job_id), JobStatus.running, status,
                            {"finished_at": clock.now(), **values})
    except workflow.WorkflowError:
        log.warning("job %s was retried elsewhere meanwhile; this run's work is dropped", job_id)
        db.session.rollback()
        return
    db.session.commit()


def work(burst: bool = False) -> None:
    """`cli.py worker`: run jobs from the queue until stopped (with burst, until it is empty).
    RQ forks a work horse per job; each horse opens database connections of its own."""
    app = current_app._get_current_object()
    os.register_at_fork(after_in_child=lambda: _drop_inherited_connections(app))
    worker = rq.Worker([rq.Queue(QUEUE, connection=app.extensions["jobs.redis"])],
                       connection=app.extensions["jobs.redis"])
    worker.work(burst=burst)


def _drop_inherited_connections(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's


# --- what people see ----------------------------------------------------------------------------


def get_requested(user: User, kind_name: str, job_id: int) -> Job:
    """A job of this kind that `user` asked for; anyone else's is a 404."""
    return get_or_404(sa.select(Job).where(Job.kind == kind_name, Job.requested_by_id == user.id), Job, job_id)


# --- retries and periodic work (the scheduler) ----------------------------------------------------


def retry_abandoned() -> int:
    """Jobs left `running` by a worker that died: queued again once, then failed; and jobs
    still `queued` that Redis lost (e.g. it restarted without its data): queued again. The
    caller commits (the jobs start after that). Each kind is given twice its own timeout
    before it counts as abandoned. Returns how many were handled."""
    handled = 0
    waiting = sa.and_(Job.status == JobStatus.queued, _longer_ago_than_abandoned(Job.created_at))
    for job in db.session.scalars(sa.select(Job).where(waiting).order_by(Job.id)).all():
        if _lost(job):
            _start_after_commit(job)  # delivered twice at worst: only one delivery claims it
            handled += 1
    stale = sa.and_(Job.status == JobStatus.running, _longer_ago_than_abandoned(Job.started_at))
    for job in db.session.scalars(sa.select(Job).where(stale).order_by(Job.id)).all():
        retry = job.attempts < MAX_ATTEMPTS
        values = ({"status": JobStatus.queued, "started_at": None} if retry else
                  {"status": JobStatus.failed, "error": ABANDONED, "finished_at": clock.now()})
        if not workflow.compare_and_set(job, stale, values):
            continue  # finished, or handled by another scheduler, a moment ago
        if retry:
            _start_after_commit(job)
        handled += 1
    return handled


def _longer_ago_than_abandoned(moment: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """`moment` (a time on the job) is longer ago than its kind's abandonment time."""
    now = clock.now()
    return sa.or_(*(sa.and_(Job.kind == name, moment < now - registered.abandoned_after)
                    for name, registered in _kinds.items()))


def _lost(job: Job) -> bool:
    """Whether nothing will ever start this queued job: Redis does not hold it (without Redis,
    the process that was to run it inline stopped first)."""
    connection = current_app.extensions["jobs.redis"]
    if connection is None:
        return True
    try:
        return not rq.job.Job.exists(_queue_id(job.id, job.attempts), connection=connection)
    except redis.RedisError as error:
        log.warning("could not ask Redis about queued job %s (%s)", job.id, error)
        return False


def run_scheduler_pass(periodic: Mapping[str, timedelta]) -> list[str]:
    """One pass of `cli.py scheduler`: retry abandoned jobs, then enqueue each periodic task
    (kind name → interval) that is due and whose previous run has finished. Returns the
    names enqueued (by this scheduler: another one may have claimed the rest)."""
    retry_abandoned()
    db.session.commit()
    enqueued = []
    for name, every in periodic.items():
        if _enqueue_if_due(name, every):
            enqueued.append(name)
        db.session.commit()
    return enqueued


def _enqueue_if_due(name: str, every: timedelta) -> Job | None:
    run, now = _periodic_run(name), clock.now()
    due_at = run.next_due_at
    if due_at > now or (run.last_job is not None and not run.last_job.is_finished):
        return None
    if not workflow.compare_and_set(run, PeriodicRun.next_due_at == due_at, {"next_due_at": now + every}):
        return None  # another scheduler claimed this run
    run.last_job = enqueue(name)
    db.session.flush()
    return run.last_job


def _periodic_run(name: str) -> PeriodicRun:
    """The task's row, created (due now) on its first pass."""
    stmt = sa.select(PeriodicRun).where(PeriodicRun.name == name)
    run = db.session.scalar(stmt)
    if run is None:
        try:
            with db.session.begin_nested():
                db.session.add(run := PeriodicRun(name=name, next_due_at=clock.now()))
        except IntegrityError:  # another scheduler's first pass, at the same moment
            run = db.session.scalar(stmt)
    return run
