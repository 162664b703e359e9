"""Certificates: the PDF, the public verification page, expiry reminders, revocation, and
another partner's certificate, attempt and people being not found."""
import hashlib
import io
import re
from datetime import timedelta

import pypdf
import pytest
import sqlalchemy as sa

from concurrency import pause_after, run_at_once
from helpers import post
from portal import maintenance
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.storage import blob_store
from portal.notifications.models import Notification
from portal.training import certificates
from portal.training.models import Attempt, Certificate
from training_support import take_quiz

VALID, EXPIRED = "DEMO-CERT-0001", "DEMO-CERT-0002"


def cert_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Certificate.id).where(Certificate.code == code))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def certificate_pdf(client, certificate_id: int):
    """GET a certificate's PDF; returns (response, body) and closes the streamed file."""
    with client.get(f"/training/certificates/{certificate_id}.pdf") as response:
        return response, response.data


def stored_blobs(app) -> set[str]:
    return {blob.id for blob in blob_store(app).iter_blobs()}


def stored_pdf(app, code: str) -> str | None:
    with app.app_context():
        return db.session.scalar(sa.select(Certificate.pdf_sha256).where(Certificate.code == code))


# --- the PDF ----------------------------------------------------------------------------------


def test_certificate_pdf_names_holder_org_certification_dates_and_code(app, login_as):
    client = login_as("sales@gold.demo")
    response, data = certificate_pdf(client, cert_id(app, VALID))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="certificate-{VALID}.pdf"' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(data)
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == VALID))
        issued, expires = certificate.issued_at.strftime("%d %B %Y"), certificate.expires_at.strftime("%d %B %Y")
    for expected in ("Sam Rivera", "Summit Peak Systems", "Sales Fundamentals", issued, expires, VALID,
                     f"/verify/{VALID}"):
        assert expected in text, expected
    assert hashlib.sha256(data).hexdigest() == stored_pdf(app, VALID)  # a blob in the file store
    with app.app_context():
        assert stored_pdf(app, VALID) in maintenance.referenced_blobs()
    assert certificate_pdf(client, cert_id(app, VALID))[1] == data  # from the store


def test_an_expired_certificate_pdf_says_so_and_is_the_same_blob_every_day(app, login_as):
    client = login_as("admin@silver.demo")  # the org's admin may download the team's certificates
    _, data = certificate_pdf(client, cert_id(app, EXPIRED))
    with app.app_context():
        expired_on = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == EXPIRED))
    assert "Sean Byrne" in pdf_text(data) and f"Expired on {expired_on:%d %B %Y}" in pdf_text(data)
    blobs = stored_blobs(app)
    for days in (1, 30):
        with clock.travel(timedelta(days=days)):
            assert certificate_pdf(client, cert_id(app, EXPIRED))[1] == data, days
    assert stored_blobs(app) == blobs


def test_a_revoked_certificate_gets_a_new_pdf_and_the_old_one_is_collected(app, login_as):
    client = login_as("sales@gold.demo")
    _, valid = certificate_pdf(client, cert_id(app, VALID))
    old = stored_pdf(app, VALID)
    post(login_as("admin@vendor.demo"), f"/training/certificates/{cert_id(app, VALID)}/revoke",
         {"reason": "Shared the exam"})
    _, revoked = certificate_pdf(login_as("sales@gold.demo"), cert_id(app, VALID))
    with app.app_context():
        revoked_on = db.session.scalar(sa.select(Certificate.revoked_at).where(Certificate.code == VALID))
    assert f"Revoked on {revoked_on:%d %B %Y}" in pdf_text(revoked) and "Revoked" not in pdf_text(valid)
    new = stored_pdf(app, VALID)
    assert new != old and new == hashlib.sha256(revoked).hexdigest()
    with app.app_context():
        maintenance.collect_files(grace_seconds=0)
    assert new in stored_blobs(app) and old not in stored_blobs(app)


def test_the_pdf_follows_the_base_url_it_prints(app, login_as):
    client = login_as("sales@gold.demo")
    _, first = certificate_pdf(client, cert_id(app, VALID))
    app.config["BASE_URL"] = "https://partners.example"
    _, moved = certificate_pdf(client, cert_id(app, VALID))
    assert "https://partners.example/verify/" in pdf_text(moved) and moved != first


def test_without_a_base_url_the_pdf_prints_the_host_it_is_served_from(app, login_as):
    app.config["BASE_URL"] = ""  # PORTAL_BASE_URL unset
    _, data = certificate_pdf(login_as("sales@gold.demo"), cert_id(app, VALID))
    assert f"http://portal.test/verify/{VALID}" in pdf_text(data)


def test_emails_never_take_the_requests_host(app, login_as):
    """Mail goes to someone else: its links come from PORTAL_BASE_URL (or the default), inside
    a request as outside one (`cli.py tick`)."""
    app.config["BASE_URL"] = ""
    post(login_as("admin@vendor.demo"), f"/training/certificates/{cert_id(app, VALID)}/revoke", {"reason": "Shared"})
    with app.app_context():
        body = db.session.scalar(sa.select(OutboxEmail.body).order_by(OutboxEmail.id.desc()).limit(1))
    assert "http://localhost:5000/" in body and "portal.test" not in body
    app.config["BASE_URL"] = "https://partners.example"
    with app.app_context():
        from portal.notifications.services import notify

        notify(find_user("sales@gold.demo"), "Hello", "Body", "training.index")
        db.session.commit()
        body = db.session.scalar(sa.select(OutboxEmail.body).order_by(OutboxEmail.id.desc()).limit(1))
    assert body.endswith("https://partners.example/training")


def test_partner_data_in_the_pdf_is_escaped(app, login_as):
    with app.app_context():
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == VALID))
        certificate.holder_name = '<img src="file:///etc/passwd">Sam <b>Rivera</b>'
        db.session.commit()
    text = pdf_text(certificate_pdf(login_as("sales@gold.demo"), cert_id(app, VALID))[1])
    squeezed = re.sub(r"\s+", "", text)  # line breaks fall anywhere
    assert '<imgsrc="file:///etc/passwd">Sam<b>Rivera</b>' in squeezed  # shown as text, never markup


# --- verification ---------------------------------------------------------------------------


def test_verification_page_is_public_and_shows_valid(client, app, demo):
    response = client.get(f"/verify/{VALID}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Valid certificate" in html and "Sam Rivera" in html and "Summit Peak Systems" in html
    assert "Sales Fundamentals" in html
    assert "sales@gold.demo" not in html  # no email, no login needed
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert client.get(f"/verify/{VALID.lower()}").status_code == 200  # typed in lower case


def test_verification_page_shows_expired(client, demo):
    html = client.get(f"/verify/{EXPIRED}").get_data(as_text=True)
    assert "Expired certificate" in html and "Sean Byrne" in html and "Harborline IT" in html


def test_verification_page_shows_revoked(app, client, login_as):
    vendor = login_as("admin@vendor.demo")
    response = post(vendor, f"/training/certificates/{cert_id(app, VALID)}/revoke", {"reason": "Shared the exam"})
    assert response.status_code == 303
    html = client.get(f"/verify/{VALID}").get_data(as_text=True)
    assert "Revoked certificate" in html and "Shared the exam" not in html  # the reason is not public
    with app.app_context():
        assert db.session.scalar(sa.select(Notification.subject).where(
            Notification.user_id == find_user("sales@gold.demo").id).order_by(Notification.id.desc()).limit(1)
        ).startswith("Certificate revoked")


def test_a_revocation_needs_a_reason_and_a_vendor_admin(app, login_as):
    vendor = login_as("admin@vendor.demo")
    post(vendor, f"/training/certificates/{cert_id(app, VALID)}/revoke", {"reason": " "})
    assert post(login_as("channel@vendor.demo"), f"/training/certificates/{cert_id(app, VALID)}/revoke",
                {"reason": "x"}).status_code == 403
    assert post(login_as("admin@gold.demo"), f"/training/certificates/{cert_id(app, VALID)}/revoke",
                {"reason": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(Certificate).where(Certificate.code == VALID)).revoked_at is None


@pytest.mark.parametrize("code", ["NOPE-NOPE-NOPE", "DEMO-CERT-0003", "x" * 500, "%00", "DEMO-CERT-000", "DEMO-CERT-0001-"])
def test_an_unknown_code_is_a_404_with_the_public_pages_own_answer(client, demo, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No certificate with this code" in html and 'name="code"' in html  # and the form to try again
    assert "Sam Rivera" not in html and "not shared with you" not in html and "home page" not in html
    assert "\x00" not in html and "x" * 33 not in html  # only a code-shaped code is echoed back


def test_the_verification_page_has_a_form_to_type_a_code_into(client, demo):
    response = client.get("/verify")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex"
    assert 'action="/verify"' in html and 'method="get"' in html and 'name="code"' in html
    typed = client.get("/verify", query_string={"code": f" {VALID.lower()} "})
    assert typed.status_code == 200 and "Valid certificate" in typed.get_data(as_text=True)
    unknown = client.get("/verify", query_string={"code": "NOPE-NOPE-NOPE"})
    assert unknown.status_code == 404 and "<code>NOPE-NOPE-NOPE</code>" in unknown.get_data(as_text=True)


def test_expiry_follows_the_clock(client, app, demo):
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
    with clock.travel(expires - clock.now() + timedelta(minutes=1)):
        assert "Expired certificate" in client.get(f"/verify/{VALID}").get_data(as_text=True)


# --- reminders --------------------------------------------------------------------------------


@pytest.fixture
def sams_certificate_only(app, demo):
    """The reminder tests follow one certificate (VALID): the demo's others, which the program
    counts (portal/demo/training.py), would lapse inside the same windows."""
    with app.app_context():
        db.session.execute(sa.delete(Certificate).where(Certificate.code.not_in([VALID, EXPIRED])))
        db.session.commit()


def _reminders(app, email):
    with app.app_context():
        return db.session.scalars(sa.select(OutboxEmail.subject).where(
            OutboxEmail.to == email, OutboxEmail.subject.like("Your certification expires%"))).all()


def test_reminders_60_and_14_days_before_expiry_each_once(app, sams_certificate_only):
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        to_expiry = expires - clock.now()
    with clock.travel(to_expiry - timedelta(days=61)):
        with app.app_context():
            assert certificates.send_reminders() == 0
    with clock.travel(to_expiry - timedelta(days=59)):
        with app.app_context():
            assert certificates.send_reminders() == 1
            db.session.commit()
            assert certificates.send_reminders() == 0
    assert len(_reminders(app, "sales@gold.demo")) == 1
    with clock.travel(to_expiry - timedelta(days=30)):
        with app.app_context():
            assert certificates.send_reminders() == 0
    with clock.travel(to_expiry - timedelta(days=13)):
        with app.app_context():
            assert certificates.send_reminders() == 1
            db.session.commit()
            assert certificates.send_reminders() == 0
    subjects = _reminders(app, "sales@gold.demo")
    assert len(subjects) == 2 and "59 days" in subjects[0] and "13 days" in subjects[1]
    with clock.travel(to_expiry + timedelta(days=1)):
        with app.app_context():
            assert certificates.send_reminders() == 0  # expired: nothing more


def test_two_runs_at_once_send_a_reminder_once(app, sams_certificate_only, monkeypatch):
    """cron's `tick` beside a scheduler's: both find the reminder due, one sends it."""
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        to_reminder = expires - clock.now() - timedelta(days=59)

    def remind():
        sent = certificates.send_reminders()
        db.session.commit()
        return sent

    pause_after(monkeypatch, certificates, "superseded")  # both query for due certificates at once
    with clock.travel(to_reminder):
        outcomes = run_at_once(app, remind, remind)
    assert [outcome.error for outcome in outcomes] == [None, None]
    assert sorted(outcome.value for outcome in outcomes) == [0, 1]
    assert len(_reminders(app, "sales@gold.demo")) == 1


def test_a_late_first_run_sends_only_the_nearer_reminder(app, sams_certificate_only):
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        with clock.travel(expires - clock.now() - timedelta(days=10)):
            assert certificates.send_reminders() == 1
            db.session.commit()
            assert certificates.send_reminders() == 0
    assert len(_reminders(app, "sales@gold.demo")) == 1


def test_a_renewed_certificate_is_not_reminded(app, login_as, ids, sams_certificate_only):
    client = login_as("sales@gold.demo")
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        to_expiry = expires - clock.now()
    with clock.travel(to_expiry - timedelta(days=20)):
        take_quiz(app, client, "sales@gold.demo", ids["product_quiz"])  # renewal inside the window
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
                Certificate.user_id == find_user("sales@gold.demo").id)) == 2
            assert certificates.send_reminders() == 0


def test_tick_sends_certification_reminders(app, runner, sams_certificate_only):
    with app.app_context():
        expires = db.session.scalar(sa.select(Certificate.expires_at).where(Certificate.code == VALID))
        delta = expires - clock.now() - timedelta(days=30)
    with clock.travel(delta):
        result = runner.invoke(args=["tick"])
        again = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 certification expiry reminder(s) sent." in result.output
    assert "0 certification expiry reminder(s) sent." in again.output
    assert len(_reminders(app, "sales@gold.demo")) == 1


# --- tenancy --------------------------------------------------------------------------------


def test_another_partner_gets_404_for_certificates_attempts_and_people(app, login_as, ids):
    with app.app_context():
        gold_user = find_user("sales@gold.demo")
        attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == gold_user.id))
        user_id = gold_user.id
    gold_cert = cert_id(app, VALID)
    for email in ("admin@silver.demo", "sales@silver.demo", "trainee@registered.demo"):
        client = login_as(email)
        assert client.get(f"/training/certificates/{gold_cert}.pdf").status_code == 404, email
        assert client.get(f"/training/attempts/{attempt_id}").status_code == 404, email
        assert post(client, f"/training/attempts/{attempt_id}", {}).status_code == 404, email
    silver_admin = login_as("admin@silver.demo")
    assert silver_admin.get(f"/training/team/{user_id}").status_code == 404
    team = silver_admin.get("/training/team").get_data(as_text=True)
    assert "Sam Rivera" not in team and "Summit Peak" not in team
    # The own org's admin sees the person, the attempt and the certificate
    gold_admin = login_as("admin@gold.demo")
    assert gold_admin.get(f"/training/team/{user_id}").status_code == 200
    assert gold_admin.get(f"/training/attempts/{attempt_id}").status_code == 200
    assert certificate_pdf(gold_admin, gold_cert)[0].status_code == 200
    # a colleague is not an admin: their own things only
    colleague = login_as("presales@gold.demo")
    assert colleague.get(f"/training/certificates/{gold_cert}.pdf").status_code == 404
    assert colleague.get(f"/training/attempts/{attempt_id}").status_code == 404
    assert colleague.get(f"/training/team/{user_id}").status_code == 403


def test_vendor_sees_a_partners_training(app, login_as):
    with app.app_context():
        from portal.core.models import Organization

        gold = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Summit Peak Systems"))
    client = login_as("channel@vendor.demo")
    html = client.get(f"/training/partners/{gold}").get_data(as_text=True)
    assert "Training at Summit Peak Systems" in html and "Sam Rivera" in html
    assert login_as("admin@gold.demo").get(f"/training/partners/{gold}").status_code == 403
