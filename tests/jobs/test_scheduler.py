"""Periodic work: `cli.py scheduler` enqueues `tick` once per interval; of several schedulers
running at once (several hosts), exactly one enqueues each run, so no reminder goes out twice."""
from datetime import timedelta

import sqlalchemy as sa

from concurrency import pause_after, run_at_once
from job_support import all_jobs
from portal import jobs
from portal.core import clock
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.jobs import JobStatus
from portal.training.models import Certificate

EVERY = {"tick": timedelta(minutes=15)}
VALID = "DEMO-CERT-0001"  # sales@gold.demo's certificate in the demo


def scheduler_pass(app) -> list[str]:
    with app.app_context():
        return jobs.run_scheduler_pass(EVERY)


def test_the_scheduler_command_enqueues_tick_once_per_interval(app, runner):
    first = runner.invoke(args=["scheduler", "--once"])
    assert first.exit_code == 0 and first.output == "tick: enqueued.\n"
    assert runner.invoke(args=["scheduler", "--once"]).output == ""  # not due again yet
    with clock.travel(timedelta(minutes=14)):
        assert runner.invoke(args=["scheduler", "--once"]).output == ""
    with clock.travel(timedelta(minutes=15, seconds=1)):
        assert runner.invoke(args=["scheduler", "--once", "--tick-minutes", "30"]).output == "tick: enqueued.\n"
    assert [job.status for job in all_jobs(app, "tick")] == [JobStatus.done, JobStatus.done]  # no queue: inline


def test_outbox_delivery_is_periodic_only_with_smtp(app, runner):
    runner.invoke(args=["scheduler", "--once"])
    assert all_jobs(app, "send_mail") == []
    app.config["SMTP_HOST"] = "127.0.0.1"
    with clock.travel(timedelta(minutes=1)):
        assert "send_mail: enqueued." in runner.invoke(args=["scheduler", "--once"]).output
    [delivery] = all_jobs(app, "send_mail")
    assert delivery.status is JobStatus.done and delivery.result == {"sent": 0}  # nothing in the outbox


def test_a_run_is_not_enqueued_while_the_previous_one_is_unfinished(app, queue, run_worker):
    assert scheduler_pass(app) == ["tick"]
    with clock.travel(timedelta(minutes=20)):
        assert scheduler_pass(app) == []  # the first is still queued: no pile-up behind a slow worker
        run_worker()
        assert scheduler_pass(app) == ["tick"]
    assert len(all_jobs(app, "tick")) == 2


def test_two_schedulers_at_once_run_tick_once_and_send_each_reminder_once(app, demo, monkeypatch):
    scheduler_pass(app)  # the periodic row exists, as on any day but the first
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        to_reminder = expires - clock.now() - timedelta(days=59)
    pause_after(monkeypatch, jobs, "_periodic_run")  # both read "due" before either claims it
    with clock.travel(to_reminder):
        outcomes = run_at_once(app, lambda: jobs.run_scheduler_pass(EVERY), lambda: jobs.run_scheduler_pass(EVERY))
    assert [outcome.error for outcome in outcomes] == [None, None]
    assert sorted(outcome.value for outcome in outcomes) == [[], ["tick"]]
    assert [job.status for job in all_jobs(app, "tick")] == [JobStatus.done, JobStatus.done]  # the priming one too
    with app.app_context():
        reminders = db.session.scalars(sa.select(OutboxEmail.subject).where(
            OutboxEmail.to == "sales@gold.demo", OutboxEmail.subject.like("Your certification expires%"))).all()
    assert len(reminders) == 1 and "59 days" in reminders[0]
