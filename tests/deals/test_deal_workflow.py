"""After submission: decisions, protection and expiry, reminders, extensions, outcomes."""
from datetime import timedelta

import sqlalchemy as sa

from helpers import post
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import OutboxEmail
from portal.deals import services
from portal.deals.models import Deal, DealStatus
from portal.extensions import db
from portal.notifications.models import Notification


def status_of(app, deal_id) -> DealStatus:
    with app.app_context():
        return db.session.get(Deal, deal_id).status


def notifications_for(app, email) -> list[str]:
    """What `email` was told about the deal these tests register (the demo tells them more)."""
    with app.app_context():
        user = find_user(email)
        return list(db.session.scalars(sa.select(Notification.subject).where(
            Notification.user_id == user.id, Notification.subject.contains("Quokka")).order_by(Notification.id)))


def emails_to(app, email) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxEmail.subject).where(
            OutboxEmail.to == email, OutboxEmail.subject.contains("Quokka")).order_by(OutboxEmail.id)))


def test_approval_protects_for_90_days_and_tells_the_rep(app, login_as, register):
    deal_id = register()
    vendor = login_as("channel@vendor.demo")
    assert post(vendor, f"/deals/{deal_id}/approve").status_code == 303
    until = (clock.now() + timedelta(days=90)).strftime("%d %b %Y")
    rep = login_as("sales@gold.demo")
    html = rep.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert f"Approved until {until}" in html and f"Approved; protected until {until}" in html  # one date format
    assert notifications_for(app, "sales@gold.demo") == ["Deal approved: Quokka Analytics GmbH"]
    assert emails_to(app, "sales@gold.demo")[-1] == "Deal approved: Quokka Analytics GmbH"
    with app.app_context():
        body = db.session.scalar(sa.select(OutboxEmail.body).where(OutboxEmail.subject.contains("Quokka"))
                                 .order_by(OutboxEmail.id.desc()).limit(1))
    assert f"protected until {until}" in body
    before = rep.get("/notifications").get_data(as_text=True).count("is-unread")
    assert before >= 1 and "Deal approved: Quokka Analytics GmbH" in rep.get("/notifications").get_data(as_text=True)


def test_a_rejection_needs_a_reason_and_shows_it_to_the_rep(app, login_as, register):
    deal_id = register()
    vendor = login_as("channel@vendor.demo")
    assert post(vendor, f"/deals/{deal_id}/reject", {"reason": ""}).status_code == 422
    assert status_of(app, deal_id) is DealStatus.submitted
    assert post(vendor, f"/deals/{deal_id}/reject", {"reason": "Existing direct customer."}).status_code == 303
    html = login_as("sales@gold.demo").get(f"/deals/{deal_id}").get_data(as_text=True)
    assert "Rejected:</strong> Existing direct customer." in html
    assert notifications_for(app, "sales@gold.demo") == ["Deal rejected: Quokka Analytics GmbH"]


def test_a_decision_on_a_deal_that_is_not_waiting_is_refused_clearly(app, login_as, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    vendor = login_as("channel@vendor.demo")
    response = post(vendor, f"/deals/{deal_id}/approve", follow_redirects=True)
    assert "This deal is approved; that is only possible when it is submitted." in response.get_data(as_text=True)


def test_partners_cannot_decide_and_vendors_do_not_act_for_reps(login_as, register):
    deal_id = register()
    admin = login_as("admin@gold.demo")
    assert post(admin, f"/deals/{deal_id}/approve").status_code == 403
    assert post(login_as("channel@vendor.demo"), f"/deals/{deal_id}/outcome", {"outcome": "won"}).status_code == 404


def test_protection_expires_on_read_before_the_job_runs_and_the_job_writes_it_down(app, login_as, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    rep = login_as("sales@gold.demo")
    with clock.travel(timedelta(days=91)):
        html = rep.get(f"/deals/{deal_id}").get_data(as_text=True)
        assert "status-expired" in html and "Protection ended" in html
        assert "Quokka" in rep.get("/deals?status=expired").get_data(as_text=True)
        assert "Quokka" not in rep.get("/deals?status=approved").get_data(as_text=True)
        assert status_of(app, deal_id) is DealStatus.approved  # nothing written on read
        _tick(app)
    assert status_of(app, deal_id) is DealStatus.expired
    assert notifications_for(app, "sales@gold.demo")[-1] == "Deal protection expired: Quokka Analytics GmbH"


def _tick(app) -> tuple[int, int]:
    with app.app_context():
        done = services.expire_lapsed(), services.send_reminders()
        db.session.commit()
        return done


def test_reminders_go_out_14_and_3_days_before_expiry_once_each(app, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    reminders = []
    for days in (70, 77, 77, 88, 88):
        with clock.travel(timedelta(days=days)):
            _tick(app)
        reminders.append([s for s in notifications_for(app, "sales@gold.demo") if "ends in" in s])
    first = "Deal protection ends in 13 days: Quokka Analytics GmbH"
    second = "Deal protection ends in 2 days: Quokka Analytics GmbH"
    assert reminders == [[], [first], [first], [first, second], [first, second]]


def test_a_deal_first_seen_with_under_3_days_left_gets_only_the_3_day_reminder(app, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    with clock.travel(timedelta(days=88)):  # the job did not run during the 14-day window
        _tick(app)
        _tick(app)
    assert [s for s in notifications_for(app, "sales@gold.demo") if "ends in" in s] == [
        "Deal protection ends in 2 days: Quokka Analytics GmbH"]


def test_the_tick_command_runs_the_jobs(app, runner, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    with clock.travel(timedelta(days=95)):
        result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "deal(s) expired" in result.output and "reminder(s) sent" in result.output
    assert status_of(app, deal_id) is DealStatus.expired


def test_an_extension_is_requested_with_a_reason_and_approved_with_a_new_date(app, login_as, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    rep = login_as("sales@gold.demo")
    assert post(rep, f"/deals/{deal_id}/extension", {"reason": ""}).status_code == 422
    assert post(rep, f"/deals/{deal_id}/extension", {"reason": "Budget moved to Q3."}).status_code == 303
    assert "The channel team will decide" in rep.get(f"/deals/{deal_id}").get_data(as_text=True)
    vendor = login_as("channel@vendor.demo")
    assert "Budget moved to Q3." in vendor.get(f"/deals/{deal_id}").get_data(as_text=True)
    too_early = (clock.now() + timedelta(days=30)).date().isoformat()
    response = post(vendor, f"/deals/{deal_id}/extension/decide", {"decision": "approve", "new_until": too_early},
                    follow_redirects=True)
    assert "must be later than the current protection date" in response.get_data(as_text=True)
    new_date = clock.now().date() + timedelta(days=150)
    post(vendor, f"/deals/{deal_id}/extension/decide", {"decision": "approve", "new_until": new_date.isoformat()})
    with app.app_context():
        assert db.session.get(Deal, deal_id).protected_until.date() == new_date
    assert new_date.strftime("%d %b %Y") in rep.get(f"/deals/{deal_id}").get_data(as_text=True)
    assert notifications_for(app, "sales@gold.demo")[-1] == "Extension approved: Quokka Analytics GmbH"


def test_a_declined_extension_keeps_the_date(app, login_as, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    with app.app_context():
        before = db.session.get(Deal, deal_id).protected_until
    rep = login_as("sales@gold.demo")
    post(rep, f"/deals/{deal_id}/extension", {"reason": "More time please."})
    assert "already waiting" in post(rep, f"/deals/{deal_id}/extension", {"reason": "Again."},
                                     follow_redirects=True).get_data(as_text=True)
    post(login_as("channel@vendor.demo"), f"/deals/{deal_id}/extension/decide", {"decision": "decline"})
    with app.app_context():
        assert db.session.get(Deal, deal_id).protected_until == before
    assert notifications_for(app, "sales@gold.demo")[-1] == "Extension declined: Quokka Analytics GmbH"


def test_won_and_lost_only_after_approval(app, login_as, register, decide):
    deal_id = register()
    rep = login_as("sales@gold.demo")
    post(rep, f"/deals/{deal_id}/outcome", {"outcome": "won"})
    assert status_of(app, deal_id) is DealStatus.submitted
    decide(services.approve, deal_id)
    post(rep, f"/deals/{deal_id}/outcome", {"outcome": "won"})
    assert status_of(app, deal_id) is DealStatus.won
    assert "Marked won" in rep.get(f"/deals/{deal_id}").get_data(as_text=True)


def test_every_change_is_on_the_timeline(login_as, register, decide):
    deal_id = register(submit=False)
    rep = login_as("sales@gold.demo")
    post(rep, f"/deals/{deal_id}/submit")
    decide(services.approve, deal_id)
    html = login_as("channel@vendor.demo").get(f"/deals/{deal_id}").get_data(as_text=True)
    timeline = html[html.index('id="timeline-title"'):]
    positions = [timeline.index(text) for text in ("as a draft", "Submitted for review", "Approved; protected")]
    assert positions == sorted(positions)
    assert "Sam Rivera" in timeline and "Chris Lindqvist" in timeline


def test_after_a_decision_the_reviewer_is_offered_the_next_deal_and_the_queue(app, login_as, register):
    first = register()
    second = register("sales@silver.demo", customer_company="Wallaby Wines Pty", customer_website="wallaby.example",
                      contact_email=None, contact_phone=None)
    vendor = login_as("channel@vendor.demo")
    waiting = vendor.get(f"/deals/{first}").get_data(as_text=True)
    assert "Next in queue" not in waiting  # the decision comes first
    response = post(vendor, f"/deals/{first}/approve")
    html = vendor.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        oldest = db.session.scalars(services.review_queue(find_user("channel@vendor.demo"), services.DealFilters())
                                    .limit(1)).first()
        assert oldest.id != first
        oldest_id, oldest_company = oldest.id, oldest.customer_company
    assert f'href="/deals/{oldest_id}">Next in queue</a>' in html and f"<strong>{oldest_company}</strong>" in html
    assert 'href="/deals/review">Back to queue</a>' in html
    for deal_id in db_submitted_ids(app):
        post(vendor, f"/deals/{deal_id}/approve")
    html = vendor.get(f"/deals/{second}").get_data(as_text=True)
    assert "Nothing else is waiting for a decision." in html and "Next in queue" not in html
    assert "Back to queue" in html
    assert "Next in queue" not in login_as("sales@gold.demo").get(f"/deals/{first}").get_data(as_text=True)


def db_submitted_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Deal.id).where(Deal.status == DealStatus.submitted)))
