"""Workflow actions at the same moment, through real connections (see tests/concurrency.py):
of two, exactly one applies; the other gets the ordinary answer and writes nothing."""
from datetime import timedelta

import sqlalchemy as sa

from concurrency import all_have_read, pause_after, run_at_once
from deal_support import deal_input
from helpers import csrf_token
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import AuditEvent
from portal.deals import routes, services
from portal.deals.models import Deal, DealStatus, ExtensionRequest
from portal.deals.services import WorkflowError
from portal.extensions import db
from portal.notifications.models import Notification

ROUNDS = 5
REPS = ("sales@gold.demo", "sales@silver.demo", "admin@distributor.demo")
CHANNEL, ADMIN, REP = "channel@vendor.demo", "admin@vendor.demo", "sales@gold.demo"


def acting(email, action, deal_id, *args):
    """An action for run_at_once: load the deal, wait for the others to load it, act, commit."""

    def run():
        user, deal = find_user(email), db.session.get(Deal, deal_id)
        all_have_read()
        result = action(user, deal, *args)
        db.session.commit()
        return result

    return run


def one_won(outcomes, refusal: str) -> None:
    errors = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert len(errors) == 1, errors
    assert isinstance(errors[0], WorkflowError) and str(errors[0]) == refusal


def events(app, deal_id, *actions) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.subject_type == "Deal", AuditEvent.subject_id == deal_id, AuditEvent.action.in_(actions))))


def told(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Notification.subject).where(
            Notification.user_id == find_user(REP).id, Notification.subject.contains("Quokka"))))


def deal_of(app, deal_id) -> Deal:
    with app.app_context():
        return db.session.get(Deal, deal_id)


def test_simultaneous_registrations_of_one_customer_have_exactly_one_first(app, products):
    def register(email, company):
        def run():
            data = deal_input(products, customer_company=company, customer_website=f"{company.lower()}.example",
                              contact_email=None, contact_phone=None)
            services.create_deal(find_user(email), data, submit_now=True)
            db.session.commit()
        return run

    for round_number in range(ROUNDS):
        company = f"Quokka{round_number}"
        outcomes = run_at_once(app, *(register(email, company) for email in REPS))
        assert [outcome.error for outcome in outcomes] == [None] * len(REPS)
        with app.app_context():
            deals = db.session.scalars(sa.select(Deal).where(Deal.customer_company == company)
                                       .order_by(Deal.submitted_at, Deal.id)).all()
            assert len(deals) == len(REPS)  # no lost write
            first, *later = deals
            assert first.conflict_level.value == "green"
            for deal in later:
                assert deal.conflict_level.value == "red"
                assert deal.conflict_deal_id == first.id  # the earliest registration holds


def test_approve_against_reject_applies_exactly_one_decision(app, register):
    deal_id = register()
    outcomes = run_at_once(app, acting(ADMIN, services.approve, deal_id),
                           acting(CHANNEL, services.reject, deal_id, "Direct customer."))
    deal = deal_of(app, deal_id)
    approved = outcomes[0].error is None
    one_won(outcomes, f"This deal is {'approved' if approved else 'rejected'}; "
                      "that is only possible when it is submitted.")
    if approved:
        assert deal.status is DealStatus.approved and deal.rejection_reason is None
    else:
        assert deal.status is DealStatus.rejected and deal.protected_until is None
    assert len(events(app, deal_id, "deal.approve", "deal.reject")) == 1
    assert len(told(app)) == 1


def test_two_approvals_at_once_record_one(app, register):
    deal_id = register()
    outcomes = run_at_once(app, acting(ADMIN, services.approve, deal_id), acting(CHANNEL, services.approve, deal_id))
    one_won(outcomes, "This deal is approved; that is only possible when it is submitted.")
    assert events(app, deal_id, "deal.approve") == ["deal.approve"]
    assert told(app) == ["Deal approved: Quokka Analytics GmbH"]


def test_a_double_clicked_submit_submits_once(app, register):
    deal_id = register(submit=False)
    outcomes = run_at_once(app, acting(REP, services.submit, deal_id), acting(REP, services.submit, deal_id))
    one_won(outcomes, "This deal is submitted; that is only possible when it is draft.")
    assert events(app, deal_id, "deal.submit") == ["deal.submit"]
    assert deal_of(app, deal_id).conflict_level is not None


def test_two_extension_requests_at_once_leave_one_waiting(app, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    outcomes = run_at_once(app, acting(REP, services.request_extension, deal_id, "Budget moved to Q3."),
                           acting(REP, services.request_extension, deal_id, "Budget moved to Q3."))
    one_won(outcomes, "An extension request for this deal is already waiting for a decision.")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtensionRequest)
                                 .where(ExtensionRequest.deal_id == deal_id)) == 1
    assert events(app, deal_id, "deal.extension_request") == ["deal.extension_request"]


def test_an_extension_is_decided_once(app, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    decide(services.request_extension, deal_id, "Budget moved to Q3.", email=REP)
    later = clock.now().date() + timedelta(days=150)
    outcomes = run_at_once(app, acting(ADMIN, services.decide_extension, deal_id, True, later),
                           acting(CHANNEL, services.decide_extension, deal_id, False))
    one_won(outcomes, "There is no extension request waiting for a decision.")
    assert len(events(app, deal_id, "deal.extension_approve", "deal.extension_decline")) == 1
    extended = outcomes[0].error is None
    assert (deal_of(app, deal_id).protected_until.date() == later) is extended


def test_through_the_pages_the_loser_is_told_the_deal_is_already_decided(app, login_as, register, monkeypatch):
    deal_id = register()
    admin, channel = login_as(ADMIN), login_as(CHANNEL)
    tokens = csrf_token(admin), csrf_token(channel)
    pause_after(monkeypatch, routes.services, "get_deal")

    def decide(client, token, verb, data):
        return lambda: client.post(f"/deals/{deal_id}/{verb}", data={"csrf_token": token, **data},
                                   follow_redirects=True)

    outcomes = run_at_once(app, decide(admin, tokens[0], "approve", {}),
                           decide(channel, tokens[1], "reject", {"reason": "Direct customer."}))
    assert [outcome.error for outcome in outcomes] == [None, None]
    pages = [outcome.value.get_data(as_text=True) for outcome in outcomes]
    assert [outcome.value.status_code for outcome in outcomes] == [200, 200]  # both followed a 303
    final = deal_of(app, deal_id).status.value
    refusal = f"This deal is {final}; that is only possible when it is submitted."
    assert sum(refusal in page for page in pages) == 1
    assert len(events(app, deal_id, "deal.approve", "deal.reject")) == 1
    assert len(told(app)) == 1
