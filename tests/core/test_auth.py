from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from helpers import csrf_token, login, post
from portal.core import clock
from portal.core.models import OutboxEmail, User
from portal.extensions import db


def test_login_lands_in_the_persona_room(client, demo):
    response = login(client, "marketing@gold.demo")
    assert response.headers["Location"] == "/rooms/marketing"


def test_vendor_lands_in_the_partner_console(client, demo):
    assert login(client, "channel@vendor.demo").headers["Location"] == "/partners/"


def test_wrong_password_is_422_with_a_message(client, demo):
    response = post(client, "/login", {"email": "sales@gold.demo", "password": "nope"})
    assert response.status_code == 422
    assert "do not match an active account" in response.get_data(as_text=True)


def test_email_is_case_insensitive(client, demo):
    assert login(client, "  Sales@Gold.DEMO ").status_code == 303


def test_login_throttled_per_account_in_the_db(app, client, demo):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        post(client, "/login", {"email": "sales@gold.demo", "password": "wrong"})
    # Even the right password is refused while throttled, from any client.
    other = app.test_client()
    response = post(other, "/login", {"email": "sales@gold.demo", "password": "partnerhouse"})
    assert response.status_code == 429
    with clock.travel(app.config["LOGIN_THROTTLE_WINDOW"] + timedelta(seconds=1)):
        assert login(other, "sales@gold.demo").status_code == 303


def test_login_throttled_per_ip(app, client, demo):
    limit = app.config["LOGIN_MAX_FAILURES_PER_IP"]
    for i in range(limit):
        post(client, "/login", {"email": f"nobody{i}@example.com", "password": "x"})
    response = post(client, "/login", {"email": "sales@gold.demo", "password": "partnerhouse"})
    assert response.status_code == 429


def test_next_accepts_only_same_site_paths(client, demo):
    token = csrf_token(client)
    for evil in ["//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example",
                 "javascript:alert(1)", "http:/evil.example"]:
        response = client.post("/login", query_string={"next": evil},
                               data={"csrf_token": token, "email": "sales@gold.demo", "password": "partnerhouse"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/rooms/sales", evil
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        token = csrf_token(client)
    response = client.post("/login", query_string={"next": "/profile?tab=1"},
                           data={"csrf_token": token, "email": "sales@gold.demo", "password": "partnerhouse"})
    assert response.headers["Location"] == "/profile?tab=1"


def test_logout_is_post_only_and_ends_the_session(client, demo):
    login(client, "sales@gold.demo")
    assert client.get("/logout").status_code == 405
    assert post(client, "/logout").status_code == 303
    assert client.get("/rooms/sales").status_code == 302


def test_session_and_remember_cookies_are_httponly_and_lax(client, demo):
    response = post(client, "/login", {"email": "sales@gold.demo", "password": "partnerhouse", "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_argon2id_hashes(app, demo):
    with app.app_context():
        hashes = db.session.scalars(sa.select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_outside_tests_passwords_are_hashed_at_the_rfc_9106_cost(tmp_path):
    """Tests hash cheaply (conftest); the app's own setting keeps the full cost."""
    from argon2 import extract_parameters, profiles

    from portal import create_app
    from portal.core.passwords import hash_password, verify_password

    app = create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.db'}"})
    with app.app_context():
        stored = hash_password("a long password")
        assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
        assert verify_password(stored, "a long password") and not verify_password(stored, "another password")


def _link_from_outbox(app, email):
    with app.app_context():
        body = db.session.scalars(
            sa.select(OutboxEmail.body).where(OutboxEmail.to == email).order_by(OutboxEmail.id.desc())
        ).first()
    return urlsplit(body.split("here: ")[1].split()[0]).path


def test_a_reset_link_never_takes_the_requests_host(app, demo):
    """Password-reset poisoning: a Host header chosen by the requester must not reach the email."""
    from portal.core import auth

    app.config["BASE_URL"] = ""
    with app.test_request_context("/password/forgot", method="POST", base_url="http://evil.example"):
        auth.send_password_link(db.session.scalar(sa.select(User).where(User.email == "sales@gold.demo")), "reset")
        db.session.commit()
        body = db.session.scalar(sa.select(OutboxEmail.body).where(OutboxEmail.to == "sales@gold.demo")
                                 .order_by(OutboxEmail.id.desc()).limit(1))
    assert "evil.example" not in body and "http://localhost:5000/password/" in body


def test_password_reset_link_sets_password_once(app, client, demo):
    response = post(client, "/password/forgot", {"email": "sales@gold.demo"})
    assert response.status_code == 303
    link = _link_from_outbox(app, "sales@gold.demo")
    new = {"password": "a much better secret", "confirm": "a much better secret"}
    assert post(client, link, new).status_code == 303
    assert login(app.test_client(), "sales@gold.demo", "a much better secret").status_code == 303
    # used once: the token died with the password change
    assert app.test_client().get(link).status_code == 404


def test_password_reset_link_expires(app, client, demo):
    post(client, "/password/forgot", {"email": "sales@gold.demo"})
    link = _link_from_outbox(app, "sales@gold.demo")
    with clock.travel(app.config["RESET_MAX_AGE"] + timedelta(minutes=1)):
        assert client.get(link).status_code == 404


def test_forgot_password_does_not_reveal_accounts(app, client, demo):
    known = post(client, "/password/forgot", {"email": "sales@gold.demo"})
    unknown = post(client, "/password/forgot", {"email": "ghost@nowhere.example"})
    assert known.status_code == unknown.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(OutboxEmail.to == "ghost@nowhere.example")) == 0


def test_set_password_validation_is_422(app, client, demo):
    post(client, "/password/forgot", {"email": "sales@gold.demo"})
    link = _link_from_outbox(app, "sales@gold.demo")
    response = post(client, link, {"password": "short", "confirm": "different"})
    assert response.status_code == 422
    assert "at least 10" in response.get_data(as_text=True).lower() or "between 10" in response.get_data(as_text=True)


def test_change_password_signs_out_other_sessions(app, login_as):
    first, second = login_as("sales@gold.demo"), login_as("sales@gold.demo")
    data = {"current": "partnerhouse", "password": "another long secret", "confirm": "another long secret"}
    assert post(first, "/profile", data).status_code == 303
    assert first.get("/rooms/sales").status_code == 200
    assert second.get("/rooms/sales").status_code == 302


def test_change_password_requires_the_current_one(login_as):
    client = login_as("sales@gold.demo")
    data = {"current": "wrong", "password": "another long secret", "confirm": "another long secret"}
    response = post(client, "/profile", data)
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)
