"""The onboarding checklist: it starts at approval, each step completes itself from the
portal's data (never from the partner), tick records it once and reminds about a stalled step
once, the vendor confirms custom steps, edits the checklists, and reads the cohorts; both
databases."""
from datetime import timedelta

import sqlalchemy as sa

from concurrency import all_have_read, run_at_once
from helpers import post
from portal.agreements import services as agreements
from portal.cobrand.models import BrandKit, CobrandedPdf, CobrandTemplate
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, PartnerType, Persona, Role, User
from portal.deals.models import Deal, DealStage, DealStatus
from portal.extensions import db
from portal.notifications.models import Notification
from portal.onboarding import checklist, cohorts, services
from portal.onboarding.models import (
    Application, ApplicationStatus, ChecklistStep, ExpectedBusiness, Onboarding, StepKind, StepProgress,
)
from portal.people import services as people
from portal.training.models import Certificate, LearningPath

VENDOR = "admin@vendor.demo"
EMAIL = "lena@tindra.example"


def _approved(at_days_ago: int = 0) -> Organization:
    """Tindra Networks, applied and approved (the demo's checklist for every type applies)."""
    with clock.travel(-timedelta(days=at_days_ago)):
        application = Application(
            ip="198.51.100.9", company="Tindra Networks", website="tindra.example", domain="tindra.example",
            country="SE", partner_type=PartnerType.reseller, contact_name="Lena Holm", email=EMAIL,
            email_domain="tindra.example", phone="+46 8 123 456", expected_business=ExpectedBusiness.up_to_100k,
            motivation="Backup for Stockholm's schools.", status=ApplicationStatus.new,
            at=clock.now() - timedelta(days=3))
        db.session.add(application)
        db.session.flush()
        org = services.approve(find_user(VENDOR), application)
        db.session.commit()
    return org


def _accept(org: Organization) -> None:
    """The new partner's admin accepts the demo's agreement (v1, every type)."""
    admin = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    agreement = agreements.standing_of(org).agreement
    agreements.accept(admin, agreements.AcceptInput(agreement.id, "Lena Holm"), "198.51.100.9")


def _states(org) -> dict[StepKind, bool]:
    return {state.step.kind: state.done for state in checklist.progress_of(org).steps}


def _do_everything_but_the_kick_off(org: Organization) -> None:
    admin = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    _accept(org)
    people.add_person(admin, org, people.NewPerson("Ola Berg", "ola@tindra.example", Persona.sales, Role.partner_user))
    path = db.session.scalar(sa.select(LearningPath).where(LearningPath.title == "Sales Fundamentals"))
    db.session.add(Certificate(code="TINDRA-1", user_id=admin.id, org_id=org.id, path_id=path.id,
                               holder_name=admin.name, org_name=org.name, certification_name="Sales Fundamentals",
                               issued_at=clock.now() - timedelta(days=1), expires_at=clock.now() + timedelta(days=300)))
    db.session.add(Deal(org_id=org.id, owner_id=admin.id, customer_company="Skola AB", contact_name="Kim",
                        country="SE", amount=5000, currency="SEK", close_date=clock.now().date(),
                        stage=DealStage.qualified, status=DealStatus.submitted, submitted_at=clock.now(),
                        key_company="skola ab", key_token="skola"))
    db.session.add(BrandKit(org_id=org.id, display_name="Tindra Networks", email="hej@tindra.example",
                            logo_sha256="0" * 64, logo_kind="png", logo_width=800, logo_height=400))
    template = db.session.scalars(sa.select(CobrandTemplate)).first()
    db.session.add(CobrandedPdf(cache_key="t" * 64, org_id=org.id, template_id=template.id,
                                version_id=template.versions[0].id, sha256="1" * 64, size=10, pages=1, render_ms=1))
    db.session.commit()


def test_approval_starts_the_onboarding_with_every_step_open(ctx, demo):
    org = _approved()
    progress = checklist.progress_of(org)
    assert [s.title for s in progress.steps] == [
        "Accept the partner agreement", "Have 2 people on the team", "1 person certified “Sales Fundamentals”",
        "Register the first deal", "Complete the brand kit", "Make the first co-branded PDF",
        "Kick-off call with your channel manager"]
    assert progress.done == 0 and progress.next_step.title == "Accept the partner agreement"


def test_steps_complete_themselves_from_what_happens_in_the_portal(ctx, demo):
    org = _approved()
    _do_everything_but_the_kick_off(org)
    states = _states(org)
    assert states.pop(StepKind.custom) is False
    assert all(states.values()), states


def test_the_brand_kit_counts_only_when_ready_and_the_team_only_with_active_people(ctx, demo):
    org = _approved()
    db.session.add(BrandKit(org_id=org.id, display_name="Tindra Networks"))  # no logo, no contact
    db.session.commit()
    states = _states(org)
    assert (states[StepKind.brand_kit], states[StepKind.team]) == (False, False)


def test_tick_records_each_step_once_and_the_onboarding_when_complete(app, runner, demo):
    with app.app_context():
        org = _approved()
        _do_everything_but_the_kick_off(org)
        org_id = org.id
    assert "6 onboarding step(s) completed" in runner.invoke(args=["tick"]).output
    assert "0 onboarding step(s) completed" in runner.invoke(args=["tick"]).output
    with app.app_context():
        first_deal = db.session.scalar(sa.select(StepProgress.completed_at).join(ChecklistStep).where(
            StepProgress.org_id == org_id, ChecklistStep.kind == StepKind.first_deal))
        assert first_deal == db.session.scalar(sa.select(Deal.submitted_at).where(Deal.org_id == org_id))
        kick_off = db.session.scalar(sa.select(StepProgress).join(ChecklistStep).where(
            StepProgress.org_id == org_id, ChecklistStep.kind == StepKind.custom))
        checklist.confirm_step(find_user(VENDOR), db.session.get(Organization, org_id), kick_off)
        db.session.commit()
        onboarding = db.session.get(Onboarding, org_id)
        assert onboarding.completed_at is not None
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "onboarding.completed", AuditEvent.org_id == org_id)) == 1


def test_a_step_stalled_for_a_week_is_reminded_once(app, runner, demo):
    with app.app_context():
        org_id = _approved().id

    def reminders() -> list[str]:
        with app.app_context():
            admin = db.session.scalar(sa.select(User).where(User.email == EMAIL))
            return db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == admin.id)
                                      .order_by(Notification.id)).all()

    runner.invoke(args=["tick"])
    assert reminders() == []
    with clock.travel(timedelta(days=7, hours=1)):
        runner.invoke(args=["tick"])
        runner.invoke(args=["tick"])
    assert reminders() == ["Onboarding: Accept the partner agreement"]
    with clock.travel(timedelta(days=8)), app.app_context():
        _accept(db.session.get(Organization, org_id))
        db.session.commit()  # accepted on day 8: the next step waits from then
    with clock.travel(timedelta(days=8, hours=1)):
        runner.invoke(args=["tick"])
    with clock.travel(timedelta(days=14, hours=2)):
        runner.invoke(args=["tick"])
    assert len(reminders()) == 1
    with clock.travel(timedelta(days=15, hours=2)):
        runner.invoke(args=["tick"])
    assert reminders()[1:] == ["Onboarding: Have 2 people on the team"]


def test_the_partner_admin_sees_the_checklist_and_the_next_step_in_the_room(app, demo):
    with app.app_context():
        _approved()
        admin = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        from portal.core.passwords import hash_password
        admin.password_hash = hash_password("partnerhouse")
        db.session.commit()
    client = app.test_client()
    post(client, "/login", {"email": EMAIL, "password": "partnerhouse"})
    page = client.get("/onboarding/")
    assert page.status_code == 200 and "0 of 7 steps done" in page.get_data(as_text=True)
    card = client.get("/program/room-card", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "0 of 7 onboarding steps done" in card and "Next:</strong> Accept the partner agreement" in card


def test_an_established_partner_has_no_checklist_and_partner_users_no_page(login_as):
    admin = login_as("admin@gold.demo")
    assert "has no onboarding checklist" in admin.get("/onboarding/").get_data(as_text=True)
    assert "onboarding steps" not in admin.get("/program/room-card").get_data(as_text=True)
    assert login_as("sales@gold.demo").get("/onboarding/").status_code == 403


def test_the_vendor_confirms_a_custom_step_once_and_a_partner_cannot(app, login_as):
    with app.app_context():
        org = _approved()
        org_id = org.id
        kick_off = db.session.scalar(sa.select(StepProgress.id).join(ChecklistStep).where(
            StepProgress.org_id == org_id, ChecklistStep.kind == StepKind.custom))
        agreement = db.session.scalar(sa.select(StepProgress.id).join(ChecklistStep).where(
            StepProgress.org_id == org_id, ChecklistStep.kind == StepKind.agreement))
    vendor = login_as(VENDOR)
    detail = vendor.get(f"/partners/{org_id}").get_data(as_text=True)
    assert "Kick-off call with your channel manager" in detail and "Confirm for Tindra Networks" in detail
    url = f"/onboarding/partners/{org_id}/steps/{kick_off}/confirm"
    assert post(vendor, url).status_code == 303
    again = post(vendor, url, follow_redirects=True).get_data(as_text=True)
    assert "confirmed it on" in again
    measured = post(vendor, f"/onboarding/partners/{org_id}/steps/{agreement}/confirm", follow_redirects=True)
    assert "completes itself" in measured.get_data(as_text=True)
    assert post(vendor, f"/onboarding/partners/{org_id}/steps/{'9' * 30}/confirm").status_code == 404
    assert post(login_as("admin@gold.demo"), url).status_code == 403


def test_the_vendor_edits_the_checklists(app, login_as):
    admin = login_as(VENDOR)
    assert "Kick-off call" in admin.get("/onboarding/checklists").get_data(as_text=True)
    refused = post(admin, "/onboarding/checklists/steps", {"partner_type": "msp", "kind": "custom", "target": "1",
                                                           "title": ""})
    assert refused.status_code == 422 and "the channel team confirms it" in refused.get_data(as_text=True)
    no_path = post(admin, "/onboarding/checklists/steps", {"partner_type": "msp", "kind": "certified", "target": "2"})
    assert no_path.status_code == 422
    assert post(admin, "/onboarding/checklists/steps", {"partner_type": "msp", "kind": "team", "target": "3"}
                ).status_code == 303
    assert post(admin, "/onboarding/checklists/steps", {"partner_type": "msp", "kind": "first_deal", "target": "1"}
                ).status_code == 303
    with app.app_context():
        msp = checklist.checklist_for(PartnerType.msp)
        first, second = msp.steps
        assert (first.kind, second.kind) == (StepKind.team, StepKind.first_deal)
        assert checklist.checklist_for(PartnerType.referral).partner_type is None  # the one for every type
        second_id = second.id
    assert post(admin, f"/onboarding/steps/{second_id}/move", {"to": "earlier"}).status_code == 303
    with app.app_context():
        assert [s.kind for s in checklist.checklist_for(PartnerType.msp).steps] == [StepKind.first_deal, StepKind.team]
    assert post(admin, f"/onboarding/steps/{second_id}/delete").status_code == 303
    with app.app_context():
        assert [s.kind for s in checklist.checklist_for(PartnerType.msp).steps] == [StepKind.team]
    channel = login_as("channel@vendor.demo")
    assert channel.get("/onboarding/checklists").status_code == 200
    assert post(channel, f"/onboarding/steps/{second_id}/delete").status_code == 403


def test_a_step_added_later_joins_the_checklists_of_partners_onboarding(ctx, demo):
    org = _approved()
    every_type = checklist.checklist_for(None)
    checklist.add_step(find_user(VENDOR), every_type, checklist.StepInput(StepKind.custom, 1, None, "Join the Slack"))
    db.session.commit()
    assert checklist.progress_of(org).steps[-1].title == "Join the Slack"


def test_cohorts_count_and_time_the_funnel_in_sql(app, login_as):
    with app.app_context():
        org = _approved(at_days_ago=10)
        admin = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        db.session.add(Deal(org_id=org.id, owner_id=admin.id, customer_company="Skola AB", contact_name="Kim",
                            country="SE", amount=5000, currency="SEK", close_date=clock.now().date(),
                            stage=DealStage.qualified, status=DealStatus.submitted,
                            submitted_at=clock.now() - timedelta(days=4), key_company="skola ab", key_token="skola"))
        db.session.commit()
        month = (clock.now() - timedelta(days=10)).strftime("%Y-%m")
        rows = {c.month: c for c in cohorts.cohorts()}
    tindra = rows[month]
    assert tindra.approved >= 1 and tindra.with_first_deal >= 1
    if tindra.approved == 1:  # alone in its month: exact averages
        assert round(tindra.days_to_approval, 3) == 3 and round(tindra.days_to_first_deal, 3) == 6
        assert tindra.days_to_onboarded is None
    page = login_as(VENDOR).get("/onboarding/cohorts")
    assert page.status_code == 200 and month in page.get_data(as_text=True)


def test_two_staff_confirming_a_custom_step_at_once_confirm_it_once(app, demo):
    with app.app_context():
        org_id = _approved().id
        progress_id = db.session.scalar(sa.select(StepProgress.id).join(ChecklistStep).where(
            StepProgress.org_id == org_id, ChecklistStep.kind == StepKind.custom))

    def confirming(email):
        def run():
            user, row = find_user(email), db.session.get(StepProgress, progress_id)
            all_have_read()
            checklist.confirm_step(user, db.session.get(Organization, org_id), row)
            db.session.commit()
        return run

    outcomes = run_at_once(app, confirming(VENDOR), confirming("channel@vendor.demo"))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and "confirmed it on" in str(errors[0]), errors
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "onboarding.step_confirmed")) == 1
