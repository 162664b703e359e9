"""Partner agreements: the vendor's versions, the partner's acceptance, the gate, the PDF and
the public verification page. The demo has v1 for every type (accepted by every demo org) and
a v2 draft."""
import hashlib
import io
import re
from datetime import timedelta

import pypdf
import pytest
import sqlalchemy as sa

from concurrency import all_have_read, run_at_once
from deal_support import deal_input, form_data
from factories import make_partner, make_user
from helpers import htmx_get, login, post
from portal import maintenance
from portal.agreements import services
from portal.agreements.models import Acceptance, Agreement, AgreementStatus
from portal.assets.services import products
from portal.cobrand.models import CobrandTemplate
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, OrgKind, PartnerType, Role
from portal.core.passwords import hash_password
from portal.core.workflow import WorkflowError
from portal.deals import services as deals
from portal.deals.models import Deal, DealStatus
from portal.demo.agreements import V2_BODY
from portal.extensions import db

GOLD = "Summit Peak Systems"


def agreement(version: int, partner_type=None) -> Agreement:
    return db.session.scalar(sa.select(Agreement).where(Agreement.version == version,
                                                        Agreement.partner_type.is_(None) if partner_type is None
                                                        else Agreement.partner_type == partner_type))


def agreement_id(app, version: int) -> int:
    with app.app_context():
        return agreement(version).id


def org(name: str) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def publish_v2(app, grace_days: int = 30) -> int:
    with app.app_context():
        v2 = agreement(2)
        services.publish(find_user("admin@vendor.demo"), v2, grace_days)
        db.session.commit()
        return v2.id


def standing(app, name: str) -> services.AgreementStanding:
    with app.app_context():
        return services.standing_of(org(name))


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def accept(client, agreement_id: int, name: str = "Grace Holt", agree: str = "y"):
    data = {"agreement_id": str(agreement_id), "full_name": name}
    if agree:
        data["agree"] = agree
    return post(client, "/agreements/accept", data)


@pytest.fixture
def newcomer(app, demo):
    """A reseller that joined after v1 and never accepted anything: an admin and a rep."""
    with app.app_context():
        new_org = make_partner(name="Fernhill Networks", tier="registered", partner_type=PartnerType.reseller)
        password = hash_password("partnerhouse")
        make_user(new_org, Role.partner_admin, email="admin@fernhill.example", name="Flora Fern", password_hash=password)
        make_user(new_org, Role.partner_user, email="sales@fernhill.example", name="Finn Hale", password_hash=password)
        db.session.commit()
    return new_org


# --- the demo and the vendor's list ---------------------------------------------------------------


def test_the_demo_has_v1_accepted_by_every_org_and_a_v2_draft(app, demo):
    with app.app_context():
        v1, v2 = agreement(1), agreement(2)
        assert (v1.status, v2.status) == (AgreementStatus.published, AgreementStatus.draft)
        assert v1.text_sha256 == hashlib.sha256(v1.body.encode()).hexdigest()
        orgs = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.partner)).all()
        assert len(orgs) == 5
        for partner in orgs:
            s = services.standing_of(partner)
            assert s.state == "accepted" and s.agreement.id == v1.id
            assert s.acceptance.ip.startswith("198.51.100.")
        assert services.standing_of(org("Acme Cloud")).state == "none"


def test_the_vendor_list_shows_versions_status_and_acceptances(login_as):
    for email in ("admin@vendor.demo", "channel@vendor.demo"):
        html = login_as(email).get("/agreements/").get_data(as_text=True)
        assert "Every partner type" in html and "Partner Program Agreement" in html
        assert "accepted by 5 of 5 active" in html
        assert ">Published<" in html and ">Draft<" in html
        assert ("New draft" in html) is (email == "admin@vendor.demo")
    assert login_as("admin@gold.demo").get("/agreements/").status_code == 403


def test_the_vendor_detail_lists_who_accepted_with_pages(app, login_as):
    app.config["PAGE_SIZE"] = 2
    client = login_as("channel@vendor.demo")
    v1 = agreement_id(app, 1)
    html = client.get(f"/agreements/{v1}").get_data(as_text=True)
    assert "Who accepted v1" in html and "Page 1 of 3 · 5 in all" in html
    assert "Edit draft" not in html and "Publish v" not in html  # published, and a channel manager reads only
    fragment = htmx_get(client, f"/agreements/{v1}?page=3").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card card-flush" id="acceptances"') and "<html" not in fragment
    assert fragment.count('/agreements/acceptances/') == 1
    assert client.get("/agreements/999999").status_code == 404


# --- drafts ----------------------------------------------------------------------------------------


def test_a_vendor_admin_writes_a_draft_for_a_partner_type(app, login_as):
    client = login_as("admin@vendor.demo")
    assert client.get("/agreements/new?type=msp").status_code == 200
    response = post(client, "/agreements/new", {"partner_type": "msp", "title": "MSP Addendum",
                                                "body": "# MSP terms\n\nOperate **responsibly**. <script>x</script>"})
    assert response.status_code == 303
    with app.app_context():
        draft = agreement(1, PartnerType.msp)
        assert (draft.scope, draft.status, draft.title) == ("msp", AgreementStatus.draft, "MSP Addendum")
        assert "<strong>responsibly</strong>" in draft.body_html and "<script>" not in draft.body_html
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "MSP Addendum" in html and "&lt;script&gt;" in html and "Publish v1" in html
    again = post(client, "/agreements/new", {"partner_type": "msp", "title": "Another", "body": "Text"})
    assert again.status_code == 422 and "already has a draft" in again.get_data(as_text=True)


def test_a_draft_needs_a_title_and_a_text(login_as):
    client = login_as("admin@vendor.demo")
    response = post(client, "/agreements/new", {"partner_type": "", "title": "  ", "body": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the agreement a title." in html and "Write the agreement&#39;s text." in html
    too_long = post(client, "/agreements/new", {"partner_type": "si", "title": "x" * 201, "body": "y"})
    assert too_long.status_code == 422
    assert post(client, "/agreements/new", {"partner_type": "nope", "title": "T", "body": "B"}).status_code == 422


def test_only_vendor_admins_write(app, login_as):
    channel = login_as("channel@vendor.demo")
    v2 = agreement_id(app, 2)
    assert channel.get("/agreements/new").status_code == 403
    assert channel.get(f"/agreements/{v2}/edit").status_code == 403
    assert post(channel, f"/agreements/{v2}/publish", {"grace_days": "30"}).status_code == 403
    assert post(channel, f"/agreements/{v2}/delete").status_code == 403


def test_a_draft_is_edited_and_a_published_version_is_not(app, login_as):
    client = login_as("admin@vendor.demo")
    v1, v2 = agreement_id(app, 1), agreement_id(app, 2)
    form = client.get(f"/agreements/{v2}/edit").get_data(as_text=True)
    assert "Edit draft v2" in form and "Data Processing Addendum" in form
    assert post(client, f"/agreements/{v2}/edit", {"title": "Partner Program Agreement 2027",
                                                   "body": V2_BODY + "\nMore."}).status_code == 303
    with app.app_context():
        assert agreement(2).title == "Partner Program Agreement 2027" and agreement(2).body.endswith("More.")
    assert post(client, f"/agreements/{v2}/edit", {"title": "", "body": "x"}).status_code == 422
    for response in (client.get(f"/agreements/{v1}/edit"),
                     post(client, f"/agreements/{v1}/edit", {"title": "Changed", "body": "Changed"})):
        assert response.status_code == 409
        assert "a published agreement&#39;s text never changes" in response.get_data(as_text=True)
    with app.app_context():
        assert agreement(1).title == "Partner Program Agreement"


def test_a_draft_is_deleted_after_confirming_and_a_published_one_is_not(app, login_as):
    client = login_as("admin@vendor.demo")
    v1, v2 = agreement_id(app, 1), agreement_id(app, 2)
    assert "Delete this draft" in client.get(f"/agreements/{v2}").get_data(as_text=True)
    response = post(client, f"/agreements/{v2}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/agreements/")
    refused = post(client, f"/agreements/{v1}/delete", follow_redirects=True)
    assert "only a draft can be deleted" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Agreement, v2) is None and db.session.get(Agreement, v1) is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "agreement.deleted")) == 1


# --- publishing ------------------------------------------------------------------------------------


def test_publishing_retires_the_previous_version_and_asks_again(app, login_as):
    client = login_as("admin@vendor.demo")
    v2 = agreement_id(app, 2)
    assert post(client, f"/agreements/{v2}/publish", {"grace_days": "400"}).status_code == 422
    response = post(client, f"/agreements/{v2}/publish", {"grace_days": "14"}, follow_redirects=True)
    assert "Version 2 is published" in response.get_data(as_text=True)
    with app.app_context():
        v1, new = agreement(1), agreement(2)
        assert (v1.status, new.status, new.grace_days) == (AgreementStatus.retired, AgreementStatus.published, 14)
        assert new.text_sha256 == hashlib.sha256(new.body.encode()).hexdigest()
    again = post(client, f"/agreements/{v2}/publish", {"grace_days": "14"}, follow_redirects=True)
    assert "This agreement is published" in again.get_data(as_text=True)
    s = standing(app, GOLD)
    assert s.state == "grace" and s.agreement.version == 2 and s.acceptance is None
    assert s.deadline.date() == (clock.now() + timedelta(days=14)).date()


def test_two_admins_publishing_one_draft_publish_it_once(app, demo):
    v2 = agreement_id(app, 2)

    def publishing(email):
        def run():
            user, draft = find_user(email), db.session.get(Agreement, v2)
            all_have_read()
            services.publish(user, draft, 30)
            db.session.commit()
        return run

    with app.app_context():
        make_user(org("Acme Cloud"), Role.admin, email="admin2@vendor.example")
        db.session.commit()
    outcomes = run_at_once(app, publishing("admin@vendor.demo"), publishing("admin2@vendor.example"))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and isinstance(errors[0], WorkflowError), errors
    assert "This agreement is published" in str(errors[0])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "agreement.published")) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)
                                 .where(Agreement.status == AgreementStatus.published)) == 1


def test_a_type_of_its_own_replaces_the_every_type_agreement(app, demo):
    with app.app_context():
        vendor = find_user("admin@vendor.demo")
        msp = services.create_draft(vendor, services.DraftInput(PartnerType.msp, "MSP Addendum", "MSP terms."))
        services.publish(vendor, msp, 10)
        db.session.commit()
    harborline, gold = standing(app, "Harborline IT"), standing(app, GOLD)
    assert harborline.state == "grace" and harborline.agreement.title == "MSP Addendum"
    assert gold.state == "accepted" and gold.agreement.version == 1  # every type's v1 still stands for resellers
    with app.app_context():
        assert agreement(1).status is AgreementStatus.published  # another scope: not retired


def test_with_no_published_agreement_there_is_nothing_to_accept(app):
    with app.app_context():
        partner = make_partner()
        assert services.standing_of(partner).state == "none"
        vendor_org = db.session.scalar(sa.select(Organization).where(Organization.kind == OrgKind.vendor))
        assert vendor_org is None or services.standing_of(vendor_org).state == "none"


# --- the partner's page and accepting ---------------------------------------------------------------


def test_an_accepted_agreement_shows_the_record_and_the_history(login_as):
    html = login_as("admin@gold.demo").get("/agreements/current").get_data(as_text=True)
    assert "✓ Accepted" in html and "DEMO-AGR-0001" in html and "Grace Holt" in html
    assert "Accept version" not in html
    assert "<h2>3. Deal registration</h2>" in html  # the Markdown, rendered
    assert login_as("sales@gold.demo").get("/agreements/current").status_code == 200
    assert login_as("admin@vendor.demo").get("/agreements/current").status_code == 404


def test_a_new_version_asks_the_admin_to_accept_and_the_rep_to_wait(app, login_as):
    publish_v2(app, 21)
    admin = login_as("admin@gold.demo")
    html = admin.get("/agreements/current").get_data(as_text=True)
    assert "Accept for Summit Peak Systems" in html and "Accept version 2" in html
    assert "Data Processing Addendum" in html and "DEMO-AGR-0001" in html  # v2's text; v1 stays in the history
    deadline = clock.as_text(clock.now() + timedelta(days=21))
    rep = login_as("sales@gold.demo")
    rep_html = rep.get("/agreements/current").get_data(as_text=True)
    assert "Your admin Grace Holt accepts it" in rep_html and 'name="full_name"' not in rep_html
    room = rep.get("/rooms/sales").get_data(as_text=True)
    assert "A new partner agreement (v2)" in room and f"Your admin accepts it by {deadline}" in room
    assert f"Accept it by {deadline}" in admin.get("/program/").get_data(as_text=True)
    assert "A new partner agreement" not in login_as("admin@vendor.demo").get("/partners/").get_data(as_text=True)


def test_accepting_records_name_time_ip_version_and_hash(app, login_as):
    v2 = publish_v2(app)
    client = login_as("admin@gold.demo")
    response = accept(client, v2, "  Grace Holt  ")
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(sa.select(Acceptance).where(Acceptance.agreement_id == v2))
        gold = org(GOLD)
        assert (row.org_id, row.user_id, row.typed_name, row.version) == (gold.id, find_user("admin@gold.demo").id,
                                                                         "Grace Holt", 2)
        assert row.ip == "127.0.0.1"
        assert row.text_sha256 == hashlib.sha256(V2_BODY.encode()).hexdigest()
        assert re.fullmatch(r"AGR-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", row.code)
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "agreement.accepted"))
        assert event.org_id == gold.id and event.after["text_sha256"] == row.text_sha256
        assert event.actor_id == row.user_id
    assert services_state(app) == "accepted"
    html = client.get("/agreements/current").get_data(as_text=True)
    assert "✓ Accepted" in html and row.code in html


def services_state(app, name=GOLD) -> str:
    return standing(app, name).state


def test_the_ip_is_the_one_the_app_decides(app, login_as):
    v2 = publish_v2(app)
    client = login_as("admin@gold.demo")
    assert post(client, "/agreements/accept", {"agreement_id": str(v2), "full_name": "Grace Holt", "agree": "y"},
                headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "192.0.2.44"}
                ).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Acceptance.ip).where(Acceptance.agreement_id == v2)) == "192.0.2.44"


def test_accepting_needs_a_name_and_the_tick(app, login_as):
    v2 = publish_v2(app)
    client = login_as("admin@gold.demo")
    no_tick = accept(client, v2, "Grace Holt", agree="")
    assert no_tick.status_code == 422 and "Tick the box to accept the agreement." in no_tick.get_data(as_text=True)
    no_name = accept(client, v2, "   ")
    assert no_name.status_code == 422 and "Type your full name to sign." in no_name.get_data(as_text=True)
    too_long = accept(client, v2, "G" * 201)
    assert too_long.status_code == 422 and "At most 200 characters." in too_long.get_data(as_text=True)
    assert accept(client, v2, "Grace\u202eHolt").status_code == 400  # bidi controls: refused for every request
    assert services_state(app) == "grace"


def test_accepting_an_outdated_version_or_twice_is_refused(app, login_as):
    client = login_as("admin@gold.demo")
    v1 = agreement_id(app, 1)
    twice = accept(client, v1)
    assert twice.status_code == 422 and "Version 1 is already accepted by Grace Holt on" in twice.get_data(as_text=True)
    publish_v2(app)
    stale = accept(client, v1)
    assert stale.status_code == 422 and "A newer version of the agreement was published" in stale.get_data(as_text=True)
    assert accept(client, "not-a-number").status_code == 422


def test_only_a_partner_admin_accepts(app, login_as):
    v2 = publish_v2(app)
    assert accept(login_as("sales@gold.demo"), v2).status_code == 403
    assert accept(login_as("admin@vendor.demo"), v2).status_code == 403
    assert services_state(app) == "grace"


def test_two_admins_accepting_at_once_record_one_acceptance(app, demo):
    v2 = publish_v2(app)
    with app.app_context():
        make_user(org(GOLD), Role.partner_admin, email="admin2@gold.example", name="Gil Holt")
        db.session.commit()

    def accepting(email, name):
        def run():
            user = find_user(email)
            services.standing_of(user.org)
            all_have_read()
            services.accept(user, services.AcceptInput(v2, name), "192.0.2.1")
            db.session.commit()
        return run

    outcomes = run_at_once(app, accepting("admin@gold.demo", "Grace Holt"), accepting("admin2@gold.example", "Gil Holt"))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and isinstance(errors[0], services.AgreementError), errors
    assert re.match(r"Version 2 is already accepted by (Grace|Gil) Holt on", str(errors[0]))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Acceptance)
                                 .where(Acceptance.agreement_id == v2)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "agreement.accepted")) == 1


# --- the gate --------------------------------------------------------------------------------------


def _cobrand_template(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(CobrandTemplate.id).where(CobrandTemplate.title == "Product Overview Flyer"))


def _own_draft(app, email) -> int:
    with app.app_context():
        deal = deals.create_deal(find_user(email), deal_input([p.id for p in products()]), False)
        db.session.commit()
        return deal.id


def test_without_an_acceptance_the_gate_closes_deal_registration_and_create_pdf(app, newcomer, login_as):
    draft = _own_draft(app, "sales@fernhill.example")  # made before (services are not gated: the pages are)
    rep = login_as("sales@fernhill.example")
    page = rep.get("/deals/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and "Deal registration waits for the partner agreement" in html
    assert "Fernhill Networks has not accepted version 1" in html and "Flora Fern" in html
    assert 'href="/agreements/current"' in html
    with app.app_context():
        catalogue = [p.id for p in products()]
    assert post(rep, "/deals/new", form_data(catalogue)).status_code == 403
    assert rep.get(f"/deals/{draft}/edit").status_code == 403
    assert post(rep, f"/deals/{draft}/submit").status_code == 403
    made = post(rep, f"/co-brand/{_cobrand_template(app)}/pdf", {"custom_message": "Hi"}, htmx=True)
    assert made.status_code == 403 and made.headers["HX-Redirect"] == "/agreements/current?blocked=cobrand"
    assert made.get_data() == b""
    explained = rep.get(made.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Co-branding waits for the agreement." in explained and "Your admin Flora Fern" in explained
    # Everything else stays open.
    for url in ("/deals", f"/deals/{draft}", "/co-brand", "/rooms/sales", "/training", "/assets"):
        assert rep.get(url).status_code == 200, url
    assert "Deal registration and co-branding wait for the partner agreement" in rep.get("/deals").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Deal, draft).status is DealStatus.draft


def test_accepting_opens_the_gate(app, newcomer, login_as):
    admin = login_as("admin@fernhill.example")
    assert admin.get("/deals/new").status_code == 403
    assert "Read and accept it" in admin.get("/deals").get_data(as_text=True)
    assert accept(admin, agreement_id(app, 1), "Flora Fern").status_code == 303
    assert admin.get("/deals/new").status_code == 200
    with app.app_context():
        catalogue = [p.id for p in products()]
    assert post(admin, "/deals/new", form_data(catalogue)).status_code == 303
    assert "wait for the partner agreement" not in admin.get("/deals").get_data(as_text=True)


def test_during_grace_the_gate_stays_open_and_after_it_closes(app, login_as):
    publish_v2(app, 10)
    rep = login_as("sales@gold.demo")
    assert rep.get("/deals/new").status_code == 200
    with clock.travel(timedelta(days=11)):
        assert services_state(app) == "required"
        page = rep.get("/deals/new")
        html = page.get_data(as_text=True)
        assert page.status_code == 403 and "The grace period for version 2" in html and "ended on" in html
        blocked = post(rep, f"/co-brand/{_cobrand_template(app)}/pdf", {"custom_message": "Hi"}, htmx=True)
        assert blocked.status_code == 403 and "HX-Redirect" in blocked.headers
        admin = login_as("admin@gold.demo")
        assert accept(admin, agreement_id(app, 2)).status_code == 303
        assert rep.get("/deals/new").status_code == 200


def test_an_org_that_never_accepted_gets_no_grace(app, newcomer):
    publish_v2(app, 30)
    s = standing(app, "Fernhill Networks")
    assert s.state == "required" and s.deadline is None and s.grace_ended is None


def test_a_distributor_registering_for_a_reseller_needs_the_reseller_s_acceptance(app, login_as):
    with app.app_context():
        lakeside = org("Lakeside Tech")
        db.session.execute(sa.delete(Acceptance).where(Acceptance.org_id == lakeside.id))
        db.session.commit()
        lakeside_id, catalogue = lakeside.id, [p.id for p in products()]
    client = login_as("admin@distributor.demo")
    assert client.get("/program/resellers/register").status_code == 200  # its own agreement is accepted
    refused = post(client, "/program/resellers/register", form_data(catalogue, reseller_id=str(lakeside_id)))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Lakeside Tech has not accepted version 1" in html
    assert "Lena Fischer" in html and 'href="/agreements/current"' not in html  # not Meridian's to accept
    assert login_as("admin@distributor.demo").get("/deals/new").status_code == 200


def test_vendor_staff_are_never_gated(app, login_as):
    publish_v2(app, 0)
    with app.app_context():
        assert services.standing_of(find_user("admin@vendor.demo").org).state == "none"
    vendor = login_as("admin@vendor.demo")
    assert vendor.get("/deals/review").status_code == 200
    assert vendor.get("/deals/new").status_code == 404  # a partner's page: the role gate, not the agreement


# --- the PDF and the public check -------------------------------------------------------------------


def _acceptance(app, name=GOLD) -> Acceptance:
    with app.app_context():
        row = db.session.scalar(sa.select(Acceptance).where(Acceptance.org_id == org(name).id))
        db.session.expunge(row)
        return row


def pdf_of(client, acceptance_id: int):
    with client.get(f"/agreements/acceptances/{acceptance_id}.pdf") as response:
        return response, response.get_data()


def test_the_pdf_shows_the_text_the_record_and_the_verification_code(app, login_as):
    row = _acceptance(app)
    response, data = pdf_of(login_as("admin@gold.demo"), row.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=agreement-DEMO-AGR-0001.pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = text_of(data)
    for expected in (GOLD, "Grace Holt", row.ip, "Version 1", "UTC", row.code, "Acceptance record",
                     "http://portal.test/agreements/verify/DEMO-AGR-0001", "1. Appointment", "Governing law"):
        assert expected in text, expected
    assert row.text_sha256 in text.replace(" ", "")
    with app.app_context():
        stored = db.session.get(Acceptance, row.id).pdf_sha256
        assert stored == hashlib.sha256(data).hexdigest() and stored in maintenance.referenced_blobs()
    again, same = pdf_of(login_as("sales@gold.demo"), row.id)  # anyone of the org; from the store
    assert again.status_code == 200 and same == data
    assert pdf_of(login_as("channel@vendor.demo"), row.id)[0].status_code == 200


def test_another_org_s_acceptance_pdf_is_a_404(app, login_as):
    row = _acceptance(app)
    silver = login_as("admin@silver.demo")
    assert pdf_of(silver, row.id)[0].status_code == 404
    assert pdf_of(silver, 999_999)[0].status_code == 404


def test_the_verification_page_is_public(app, client, demo):
    row = _acceptance(app)
    response = client.get("/agreements/verify/DEMO-AGR-0001")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex"
    assert GOLD in html and "version 1" in html and row.text_sha256 in html and "Accepted at" in html
    assert row.ip not in html and "Grace Holt" not in html  # the record's public part only
    assert client.get("/agreements/verify/demo-agr-0001").status_code == 200
    assert client.get("/agreements/verify/NOT-A-CODE").status_code == 404
    assert client.get("/agreements/verify/" + "A" * 40).status_code == 404


def test_the_acceptance_list_links_each_pdf_for_the_vendor(app, login_as):
    html = login_as("admin@vendor.demo").get(f"/agreements/{agreement_id(app, 1)}").get_data(as_text=True)
    assert html.count("/agreements/acceptances/") == 5 and "198.51.100." not in html


def test_the_api_keeps_the_same_gate(app, client, newcomer):
    from portal.core import tokens

    with app.app_context():
        _, secret = tokens.create_token(find_user("sales@fernhill.example"), "script")
        db.session.commit()
        catalogue = [p.id for p in products()]
    body = {"customer_company": "Quokka Analytics GmbH", "customer_website": "quokka-analytics.example",
            "contact_name": "Quinn Q", "country": "DE", "product_ids": catalogue, "amount": 42000,
            "currency": "EUR", "close_date": (clock.now().date() + timedelta(days=60)).isoformat(),
            "stage": "proposal"}
    refused = client.post("/api/v1/deals", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403
    assert "Deal registration waits for the partner agreement" in refused.get_json()["error"]["message"]
    login(admin := app.test_client(), "admin@fernhill.example")
    assert accept(admin, agreement_id(app, 1), "Flora Fern").status_code == 303
    assert client.post("/api/v1/deals", json=body, headers={"Authorization": f"Bearer {secret}"}).status_code == 201


def test_a_new_draft_starts_from_the_latest_text_of_its_type(app, login_as):
    client = login_as("admin@vendor.demo")
    every = client.get("/agreements/new").get_data(as_text=True)
    assert "Data Processing Addendum" in every and 'value="Partner Program Agreement"' in every
    msp = client.get("/agreements/new?type=msp").get_data(as_text=True)
    assert "Data Processing Addendum" not in msp and '<option selected value="msp">' in msp


def test_the_gate_page_carries_no_second_notice(app, newcomer, login_as):
    html = login_as("sales@fernhill.example").get("/deals/new").get_data(as_text=True)
    assert html.count("wait for the partner agreement") == 0 and "waits for the partner agreement" in html
