"""The public application: what it stores, what it refuses (422 per field, nothing stored),
the throttle, the honeypot, the emailed confirmation, and that its answer never tells who
already uses a domain."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from helpers import post
from portal.core import clock
from portal.core.models import AuditEvent, OutboxEmail, Product
from portal.extensions import db
from portal.onboarding import services
from portal.onboarding.models import Application, ApplicationStatus

GOOD = {"company": "Northwind Networks", "website": "https://www.northwind.example", "country": "DE",
        "partner_type": "reseller", "contact_name": "Jonas Weber", "email": "jonas@northwind.example",
        "phone": "+49 30 1234 5678", "expected_business": "up_to_500k",
        "motivation": "We sell backup and security to 300 small businesses around Berlin."}


def _apply(client, **changes):
    return post(client, "/apply", {**GOOD, **changes})


def _stored(app) -> list[Application]:
    with app.app_context():
        return db.session.scalars(sa.select(Application).order_by(Application.id)).all()


def _confirm_link(app, to: str) -> str:
    with app.app_context():
        body = db.session.scalars(sa.select(OutboxEmail.body).where(OutboxEmail.to == to)
                                  .order_by(OutboxEmail.id.desc())).first()
    return re.search(r"https?://[^/\s]+(/apply/confirm/\S+)", body).group(1)


def test_the_form_is_public_and_says_what_happens_next(client):
    page = client.get("/apply")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Become a partner" in html and 'name="csrf_token"' in html and "confirm" in html


def test_an_application_is_stored_unconfirmed_and_the_applicant_gets_a_link(app, client):
    answer = _apply(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/apply?sent=1")
    assert "Check your email" in client.get("/apply?sent=1").get_data(as_text=True)
    [stored] = _stored(app)
    assert (stored.status, stored.domain, stored.email_domain, stored.email) == (
        ApplicationStatus.unconfirmed, "northwind.example", "northwind.example", "jonas@northwind.example")
    assert "/apply/confirm/" in _confirm_link(app, "jonas@northwind.example")


def test_confirming_puts_it_in_the_queue_once_and_a_get_changes_nothing(app, client):
    _apply(client)
    link = _confirm_link(app, GOOD["email"])
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my application" in page.get_data(as_text=True)
    assert _stored(app)[0].status is ApplicationStatus.unconfirmed  # a mail scanner's GET confirms nothing
    done = post(client, link)
    assert done.status_code == 200 and "is confirmed" in done.get_data(as_text=True)
    again = post(client, link)
    assert again.status_code == 200 and "is confirmed" in again.get_data(as_text=True)
    [stored] = _stored(app)
    assert stored.status is ApplicationStatus.new and stored.confirmed_at is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "application.confirmed")) == 1


def test_a_link_past_seven_days_is_dead_and_tick_expires_the_application(app, client, runner):
    _apply(client)
    link = _confirm_link(app, GOOD["email"])
    with clock.travel(timedelta(days=7, minutes=1)):
        assert client.get(link).status_code == 404
        assert "1 unconfirmed application(s) expired;" in runner.invoke(args=["tick"]).output
    assert _stored(app)[0].status is ApplicationStatus.expired


def test_a_forged_or_altered_link_is_a_404(client):
    assert client.get("/apply/confirm/not-a-token").status_code == 404
    assert client.get("/apply/confirm/" + "9" * 30).status_code == 404


@pytest.mark.parametrize("changes, field, message", [
    ({"company": "x" * 1_000_000}, "company", "Field cannot be longer than 200 characters."),
    ({"motivation": "m" * 1_000_000}, "motivation", "Field cannot be longer than 4000 characters."),
    ({"company": "<script>alert(1)</script>"}, "company", "Plain text only"),
    ({"motivation": "Call us <img src=x onerror=alert(1)>"}, "motivation", "Plain text only"),
    ({"website": "not a website"}, "website", "Enter your company&#39;s website"),
    ({"website": "javascript:alert(1)"}, "website", "Enter your company&#39;s website"),
    ({"email": "jonas@gmail.com"}, "email", "Use your work email address"),
    ({"email": "not-an-email"}, "email", "Enter an email address"),
    ({"phone": "call me"}, "phone", "Digits, spaces"),
    ({"country": "XX"}, "country", "Not a valid choice"),
    ({"partner_type": "overlord"}, "partner_type", "Not a valid choice"),
    ({"expected_business": ""}, "expected_business", "Choose what you expect to sell."),
])
def test_bad_input_is_a_422_with_the_fields_message_and_stores_nothing(app, client, changes, field, message):
    answer = _apply(client, **changes)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422, html[:300]
    assert message in html
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert _stored(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


@pytest.mark.parametrize("text", ["Acme\x00", "Acme\u202egnp.exe"])
def test_nul_and_bidi_controls_are_refused_before_the_form(app, client, text):
    assert _apply(client, company=text).status_code == 400
    assert _stored(app) == []


def test_a_bot_filling_the_honeypot_sees_the_usual_answer_and_nothing_is_stored(app, client):
    answer = _apply(client, fax="+1 555 0100")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/apply?sent=1")
    assert _stored(app) == []


def test_the_throttle_counts_per_email_domain_and_per_address(app, client):
    limit = app.config["APPLY_MAX_PER_DOMAIN"]
    for n in range(limit):
        assert _apply(client, email=f"person{n}@northwind.example").status_code == 303
    refused = _apply(client, email="another@northwind.example")
    assert refused.status_code == 429 and "Try again in an hour" in refused.get_data(as_text=True)
    assert len(_stored(app)) == limit
    other = _apply(client, email="ana@southwind.example", website="southwind.example")
    assert other.status_code == 303  # another domain, same address: under the address's own limit
    with clock.travel(app.config["APPLY_THROTTLE_WINDOW"] + timedelta(minutes=1)):
        assert _apply(client, email="later@northwind.example").status_code == 303


def test_the_address_limit_holds_across_domains(app, client):
    app.config["APPLY_MAX_PER_IP"] = 2
    for name in ("alpha", "beta"):
        assert _apply(client, email=f"x@{name}.example", website=f"{name}.example").status_code == 303
    assert _apply(client, email="x@gamma.example", website="gamma.example").status_code == 429


def test_known_and_unknown_domains_get_the_same_answer(app, client, demo):
    """Harborline IT's people use harborline.example (the demo): applying with that domain
    looks exactly like applying with a new one, to the applicant."""
    known = _apply(client, email="new.person@harborline.example", website="harborline.example",
                   company="Harbourline Ltd")
    unknown = _apply(client, email="someone@brand-new.example", website="brand-new.example", company="Brand New")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert client.get(known.headers["Location"]).get_data() == client.get(unknown.headers["Location"]).get_data()
    with app.app_context():
        subjects = db.session.scalars(sa.select(OutboxEmail.subject).where(OutboxEmail.to.in_(
            ("new.person@harborline.example", "someone@brand-new.example")))).all()
    assert subjects == ["Confirm your partner application"] * 2


def test_products_of_interest_are_the_vendors_products(app, client, demo):
    with app.app_context():
        first = db.session.scalars(sa.select(Product.id).order_by(Product.id)).first()
    demo_applications = len(_stored(app))
    refused = post(client, "/apply", {**GOOD, "product_ids": [str(first), str(2**31 - 1)]})
    assert refused.status_code == 422 and len(_stored(app)) == demo_applications
    assert post(client, "/apply", {**GOOD, "product_ids": [str(first)]}).status_code == 303
    assert _stored(app)[-1].product_ids == [first]


def test_the_services_confirm_is_idempotent(app, client):
    _apply(client)
    with app.app_context():
        application = db.session.scalar(sa.select(Application))
        assert services.confirm(application) is True
        assert services.confirm(application) is False


def test_behind_a_proxy_the_throttle_counts_each_clients_own_address(app_on, schema_template, tmp_path):
    """PORTAL_PROXY_HOPS=1: the balancer's X-Forwarded-For is the client; without it every
    client would share the balancer's address and one busy office would lock out the rest."""
    with app_on(schema_template, tmp_path / "proxied", {"PROXY_HOPS": 1, "APPLY_MAX_PER_IP": 1}) as proxied:
        client = proxied.test_client()
        balancer = {"REMOTE_ADDR": "10.0.0.2"}

        def apply_from(address, name):
            return post(client, "/apply", {**GOOD, "email": f"x@{name}.example", "website": f"{name}.example"},
                        headers={"X-Forwarded-For": address}, environ_base=balancer)

        assert apply_from("203.0.113.5", "alpha").status_code == 303
        assert apply_from("203.0.113.6", "beta").status_code == 303  # another client behind the same balancer
        assert apply_from("203.0.113.5", "gamma").status_code == 429
        with proxied.app_context():
            assert sorted(db.session.scalars(sa.select(Application.ip))) == ["203.0.113.5", "203.0.113.6"]
