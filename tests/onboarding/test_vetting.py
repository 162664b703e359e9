"""The vendor's vetting: the pipeline and its pages, the automatic checks with their evidence,
approval (org + invitation in one transaction), decline (a reason, an email), and two staff
deciding at once (compare-and-set, raced on Postgres)."""
import sqlalchemy as sa

from concurrency import all_have_read, run_at_once
from helpers import htmx_get, post
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, OutboxEmail, Region, Role, User
from portal.extensions import db
from portal.onboarding import services
from portal.onboarding.models import Application, ApplicationStatus, ExpectedBusiness, PartnerType

VENDOR = "admin@vendor.demo"


def _application(app, status=ApplicationStatus.new, **changes) -> int:
    values = {"ip": "198.51.100.7", "company": "Tindra Networks", "website": "tindra.example",
              "domain": "tindra.example", "country": "NO", "partner_type": PartnerType.msp,
              "contact_name": "Ingrid Dahl", "email": "ingrid@tindra.example", "email_domain": "tindra.example",
              "phone": "+47 22 00 00 00", "expected_business": ExpectedBusiness.up_to_100k,
              "motivation": "Managed backup for 120 customers in Oslo.", "status": status, **changes}
    with app.app_context():
        application = Application(**values)
        db.session.add(application)
        db.session.commit()
        return application.id


def _load(app, application_id) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        db.session.expunge(application)
        return application


def test_the_pipeline_shows_what_waits_for_a_decision(app, login_as):
    waiting = _application(app)
    hidden = _application(app, status=ApplicationStatus.unconfirmed, company="Unsure Ltd")
    client = login_as(VENDOR)
    html = client.get("/applications/").get_data(as_text=True)
    assert "Tindra Networks" in html and "Unsure Ltd" not in html
    fragment = htmx_get(client, "/applications/?view=unconfirmed")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "Unsure Ltd" in fragment.get_data(as_text=True)
    assert client.get("/applications/?view=nonsense").status_code == 404
    assert client.get(f"/applications/{waiting}").status_code == 200
    assert client.get(f"/applications/{hidden}").status_code == 200
    assert client.get("/applications/" + "9" * 30).status_code == 404


def test_partners_never_see_applications(app, login_as):
    application_id = _application(app)
    client = login_as("admin@gold.demo")
    assert client.get("/applications/").status_code == 403
    assert client.get(f"/applications/{application_id}").status_code == 403
    assert post(client, f"/applications/{application_id}/approve").status_code == 403


def test_the_checks_show_their_evidence(app, demo):
    ok = _application(app)
    odd = _application(app, email="ingrid@silver.demo", email_domain="silver.demo", country="US",
                       partner_type=PartnerType.referral, status=ApplicationStatus.unconfirmed)
    with app.app_context():
        services.settings().regions = ["EMEA"]
        services.settings().partner_types = ["msp", "reseller"]
        passed = {c.name: c for c in services.checks(db.session.get(Application, ok))}
        failed = {c.name: c for c in services.checks(db.session.get(Application, odd))}
    assert all(c.passed for c in passed.values()), passed
    assert not any(c.passed for c in failed.values()), failed
    assert failed["The email domain matches the website"].evidence.endswith("silver.demo is not tindra.example")
    assert failed["The domain is new to the program"].evidence == (
        "Domain already known: people of the partner Harborline IT use silver.demo or tindra.example.")
    assert "United States is in NA; the program covers EMEA." in failed["The country is in a region the program covers"].evidence
    assert failed["The partner type is accepted"].evidence.startswith("Referral")


def test_a_house_accounts_domain_is_flagged(app, demo):
    flagged = _application(app, website="northwind.example", domain="northwind.example")
    with app.app_context():
        assert services.known_domain(db.session.get(Application, flagged)) == (
            "Domain already known: Northwind Traders is a house account at northwind.example.")


def test_review_owner_and_notes(app, login_as):
    application_id = _application(app)
    client = login_as("channel@vendor.demo")
    assert post(client, f"/applications/{application_id}/review").status_code == 303
    application = _load(app, application_id)
    assert application.status is ApplicationStatus.in_review
    with app.app_context():
        admin = find_user(VENDOR)
        assert db.session.get(Application, application_id).owner.email == "channel@vendor.demo"
        admin_id = admin.id
    assert post(client, f"/applications/{application_id}/owner", {"owner_id": str(admin_id)}).status_code == 303
    refused = post(client, f"/applications/{application_id}/owner", {"owner_id": "9" * 30})
    assert refused.status_code == 422
    assert post(client, f"/applications/{application_id}/notes", {"body": ""}).status_code == 422
    assert post(client, f"/applications/{application_id}/notes", {"body": "Called Ingrid: 4 engineers."}).status_code == 303
    html = client.get(f"/applications/{application_id}").get_data(as_text=True)
    assert "Called Ingrid: 4 engineers." in html
    with app.app_context():
        assert db.session.get(Application, application_id).owner_id == admin_id


def test_approving_creates_the_org_and_invites_the_applicant(app, login_as):
    application_id = _application(app)
    client = login_as(VENDOR)
    answer = post(client, f"/applications/{application_id}/approve")
    assert answer.status_code == 303
    with app.app_context():
        application = db.session.get(Application, application_id)
        org = application.org
        admin = db.session.scalar(sa.select(User).where(User.email == "ingrid@tindra.example"))
        assert application.status is ApplicationStatus.approved and application.decided_by.email == VENDOR
        assert (org.name, org.partner_type, org.region, org.tier.key) == (
            "Tindra Networks", PartnerType.msp, Region.EMEA, "registered")
        assert (admin.org_id, admin.role) == (org.id, Role.partner_admin)
        assert db.session.scalar(sa.select(OutboxEmail.subject).where(OutboxEmail.to == admin.email)) == (
            "You are invited to Partnerhouse")
        assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "application.approved"))
    assert "is a partner now" in client.get(f"/applications/{application_id}").get_data(as_text=True)
    again = post(client, f"/applications/{application_id}/approve", follow_redirects=True)
    assert "This application is approved" in again.get_data(as_text=True)


def test_approval_that_cannot_create_the_org_changes_nothing(app, login_as):
    application_id = _application(app, company="Summit Peak Systems")  # a partner of that name exists
    client = login_as(VENDOR)
    answer = post(client, f"/applications/{application_id}/approve", follow_redirects=True)
    assert "Not approved: A partner with this name exists already." in answer.get_data(as_text=True)
    application = _load(app, application_id)
    assert (application.status, application.org_id) == (ApplicationStatus.new, None)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "ingrid@tindra.example")) is None


def test_declining_needs_a_reason_and_tells_the_applicant(app, login_as):
    application_id = _application(app, status=ApplicationStatus.in_review)
    client = login_as(VENDOR)
    refused = post(client, f"/applications/{application_id}/decline", {"reason": ""})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    assert post(client, f"/applications/{application_id}/decline",
                {"reason": "We have three MSPs in Oslo already."}).status_code == 303
    with app.app_context():
        application = db.session.get(Application, application_id)
        body = db.session.scalar(sa.select(OutboxEmail.body).where(OutboxEmail.to == application.email))
    assert application.status is ApplicationStatus.declined
    assert "We have three MSPs in Oslo already." in body


def test_the_recruitment_settings(app, login_as):
    admin = login_as(VENDOR)
    assert admin.get("/applications/settings").status_code == 200
    assert post(admin, "/applications/settings", {"regions": ["EMEA", "NA"], "partner_types": ["msp"]}).status_code == 303
    with app.app_context():
        assert (services.settings().regions, services.settings().partner_types) == (["EMEA", "NA"], ["msp"])
    assert post(admin, "/applications/settings", {"regions": ["MARS"]}).status_code == 422
    assert login_as("channel@vendor.demo").get("/applications/settings").status_code == 403


def test_approving_and_declining_at_once_decides_once(app, demo):
    application_id = _application(app, status=ApplicationStatus.in_review)

    def deciding(email, decide):
        def run():
            user, application = find_user(email), db.session.get(Application, application_id)
            all_have_read()
            decide(user, application)
            db.session.commit()
        return run

    outcomes = run_at_once(
        app, deciding(VENDOR, services.approve),
        deciding("channel@vendor.demo", lambda user, a: services.decline(user, a, "Not now")))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and "This application is" in str(errors[0]), errors
    with app.app_context():
        application = db.session.get(Application, application_id)
        orgs = db.session.scalar(sa.select(sa.func.count(Organization.id)).where(
            Organization.name == "Tindra Networks"))
        assert orgs == (1 if application.status is ApplicationStatus.approved else 0)
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(("application.approved", "application.declined")))) == 1
