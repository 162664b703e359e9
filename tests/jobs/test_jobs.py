"""The job machinery: a job starts only once its transaction commits; without a queue it runs
right there, with one it waits for a worker; Redis down means it runs right there; failures
keep a message and roll back the job's writes; a job whose worker died is retried once."""
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from job_support import all_jobs, job_row, queued_on_redis, REDIS_TEST_URL
from portal import jobs
from portal.core import clock
from portal.core.models import OrgKind, Organization, OutboxEmail
from portal.deals import services as deals
from portal.extensions import db
from portal.jobs import JobStatus
from portal.training import certificates

ROOT = Path(__file__).resolve().parents[2]
TICK_ABANDONED = 2 * jobs.DEFAULT_TIMEOUT  # tick says nothing of its timeout


def enqueue_tick(app, then=None) -> int:
    """Enqueue the tick job and commit (`then` runs in the transaction after enqueueing)."""
    with app.app_context():
        job = jobs.enqueue("tick")
        if then:
            then()
        db.session.commit()
        return job.id


# --- without a queue ------------------------------------------------------------------------------


def test_without_a_queue_a_job_runs_once_its_transaction_commits(app, monkeypatch):
    ran = []
    monkeypatch.setattr(deals, "expire_lapsed", lambda: ran.append(db.session.get(jobs.Job, job_id).status) or 0)
    with app.app_context():
        job_id = jobs.enqueue("tick").id
        assert ran == []  # not before the commit
        db.session.commit()
    assert ran == [JobStatus.running]
    job = job_row(app, job_id)
    assert job.status is JobStatus.done and job.attempts == 1
    assert job.result == {"expired": 0, "reminded": 0, "certificates_reminded": 0, "applications_expired": 0,
                          "onboarding_steps": 0, "onboarding_reminded": 0,
                          "tiers": "0 partner(s) evaluated, nothing changed"}
    assert job.created_at <= job.started_at <= job.finished_at


def test_a_rolled_back_job_is_never_started(app, monkeypatch):
    monkeypatch.setattr(deals, "expire_lapsed", lambda: pytest.fail("a rolled-back job ran"))
    with app.app_context():
        jobs.enqueue("tick")
        db.session.rollback()
        db.session.commit()
    assert all_jobs(app) == []


def test_a_savepoint_rolled_back_inside_the_transaction_does_not_drop_the_job(app):
    def duplicate_org_in_a_savepoint():
        db.session.add(Organization(name="Twice", kind=OrgKind.partner))
        db.session.flush()
        try:
            with db.session.begin_nested():
                db.session.add(Organization(name="Twice", kind=OrgKind.partner))
        except IntegrityError:
            pass

    job_id = enqueue_tick(app, then=duplicate_org_in_a_savepoint)
    assert job_row(app, job_id).status is JobStatus.done


def test_an_unknown_kind_is_refused_at_once(app):
    with app.app_context(), pytest.raises(ValueError, match="no job kind 'nope'"):
        jobs.enqueue("nope")


def test_a_job_that_cannot_do_it_fails_with_its_message_and_writes_nothing(app, monkeypatch):
    def write_then_refuse():
        db.session.add(OutboxEmail(to="x@example.com", subject="half done", body=""))
        db.session.flush()
        raise jobs.JobFailed("The thing is gone.")

    monkeypatch.setattr(deals, "expire_lapsed", write_then_refuse)
    job = job_row(app, enqueue_tick(app))
    assert job.status is JobStatus.failed and job.error == "The thing is gone." and job.attempts == 1
    assert job.finished_at is not None and job.result is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


def test_an_unexpected_error_fails_the_job_with_a_plain_message_and_logs_the_details(app, monkeypatch, caplog):
    monkeypatch.setattr(deals, "expire_lapsed", lambda: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="portal.jobs"):
        job = job_row(app, enqueue_tick(app))
    assert job.status is JobStatus.failed and job.error == jobs.UNEXPECTED
    assert "ZeroDivisionError" in caplog.text


def test_a_job_delivered_twice_runs_once(app, monkeypatch):
    job_id = enqueue_tick(app)
    runs = []
    monkeypatch.setattr(deals, "expire_lapsed", lambda: runs.append(1) or 0)
    with app.app_context():
        jobs.perform(job_id)
    assert runs == [] and job_row(app, job_id).attempts == 1


# --- with a queue ---------------------------------------------------------------------------------


def test_with_a_queue_the_job_waits_for_a_worker(app, queue, run_worker):
    job_id = enqueue_tick(app)
    assert job_row(app, job_id).status is JobStatus.queued and queued_on_redis(queue) == 1
    run_worker()
    job = job_row(app, job_id)
    assert job.status is JobStatus.done and job.result["expired"] == 0
    assert queued_on_redis(queue) == 0


def test_the_job_reaches_redis_only_after_commit(app, queue):
    with app.app_context():
        jobs.enqueue("tick")
        assert queued_on_redis(queue) == 0
        db.session.commit()
    assert queued_on_redis(queue) == 1


def test_when_redis_is_down_the_job_runs_right_there_and_says_so_in_the_log(app, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.jobs"):
        job_id = enqueue_tick(app)
    assert job_row(app, job_id).status is JobStatus.done
    assert f"job {job_id} could not be queued" in caplog.text and "running it here instead" in caplog.text


def test_a_job_left_running_by_a_dead_worker_is_retried_once_then_failed(app, queue, run_worker, monkeypatch):
    job_id = enqueue_tick(app)
    monkeypatch.setattr(certificates, "send_reminders", lambda: sys.exit("worker killed"))
    with app.app_context(), pytest.raises(SystemExit):
        jobs.perform(job_id)  # the worker died mid-job: the row stays `running`
    queue.flushdb()
    assert job_row(app, job_id).status is JobStatus.running
    with app.app_context():
        assert jobs.retry_abandoned() == 0  # not yet: it may still be working
    with clock.travel(TICK_ABANDONED + timedelta(seconds=1)), app.app_context():
        assert jobs.retry_abandoned() == 1
        db.session.commit()
    job = job_row(app, job_id)
    assert job.status is JobStatus.queued and job.attempts == 1 and queued_on_redis(queue) == 1
    with clock.travel(TICK_ABANDONED + timedelta(seconds=1)), app.app_context(), pytest.raises(SystemExit):
        jobs.perform(job_id)  # and died again
    monkeypatch.undo()
    with clock.travel(2 * TICK_ABANDONED + timedelta(seconds=2)), app.app_context():
        assert jobs.retry_abandoned() == 1
        db.session.commit()
    job = job_row(app, job_id)
    assert job.status is JobStatus.failed and job.attempts == 2 and job.error == jobs.ABANDONED
    run_worker()  # the retry's queue entry finds the job failed and leaves it so
    assert job_row(app, job_id).status is JobStatus.failed


def test_a_retried_job_that_the_retry_finishes_is_done(app, queue, run_worker, monkeypatch):
    job_id = enqueue_tick(app)
    monkeypatch.setattr(certificates, "send_reminders", lambda: sys.exit("worker killed"))
    with app.app_context(), pytest.raises(SystemExit):
        jobs.perform(job_id)
    monkeypatch.undo()
    queue.flushdb()
    with clock.travel(TICK_ABANDONED + timedelta(seconds=1)):
        with app.app_context():
            jobs.retry_abandoned()
            db.session.commit()
        run_worker()
    job = job_row(app, job_id)
    assert job.status is JobStatus.done and job.attempts == 2 and job.result["certificates_reminded"] == 0


def test_a_queued_job_that_redis_lost_is_queued_again(app, queue, run_worker):
    job_id = enqueue_tick(app)
    queue.flushdb()  # Redis restarted without its data
    with clock.travel(TICK_ABANDONED + timedelta(seconds=1)), app.app_context():
        assert jobs.retry_abandoned() == 1
        db.session.commit()
    assert queued_on_redis(queue) == 1 and job_row(app, job_id).status is JobStatus.queued
    run_worker()
    assert job_row(app, job_id).status is JobStatus.done


def test_a_job_still_waiting_on_redis_is_left_in_its_place(app, queue):
    enqueue_tick(app)
    with clock.travel(TICK_ABANDONED + timedelta(seconds=1)), app.app_context():
        assert jobs.retry_abandoned() == 0  # a long queue, not a lost job
        db.session.commit()
    assert queued_on_redis(queue) == 1


# --- the command line ---------------------------------------------------------------------------


def test_the_worker_command_needs_a_redis_url(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "PORTAL_REDIS_URL is not set" in result.output


def test_cli_worker_burst_runs_the_queued_jobs_in_forked_work_horses(app, queue):
    first, second = enqueue_tick(app), enqueue_tick(app)
    env = {**os.environ, "PORTAL_REDIS_URL": REDIS_TEST_URL, "PORTAL_DATA_DIR": app.config["DATA_DIR"],
           "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    done = subprocess.run([sys.executable, "cli.py", "worker", "--burst"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [job_row(app, job_id).status for job_id in (first, second)] == [JobStatus.done, JobStatus.done]
