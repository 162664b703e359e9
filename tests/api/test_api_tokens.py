"""Personal API tokens on the profile page: made, shown once, listed, revoked."""
import hashlib
import re

import sqlalchemy as sa

from helpers import post
from portal.core.auth import find_user
from portal.core.models import ApiToken, AuditEvent
from portal.extensions import db

TOKEN_RE = re.compile(r"ph_[A-Za-z0-9_-]{43}")


def _create(client, name="Nightly export", htmx=False):
    return post(client, "/profile/tokens", {"name": name}, htmx=htmx)


def _tokens(app):
    with app.app_context():
        return db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()


def _actions(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.startswith("api_token."))
                                  .order_by(AuditEvent.id)).all()


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(app, login_as):
    client = login_as("sales@gold.demo")
    response = _create(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<html" in html and "Copy your new token now" in html
    secret = TOKEN_RE.search(html).group(0)
    assert f'value="{secret}" readonly' in html

    [token] = _tokens(app)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8] and token.name == "Nightly export"
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert token.revoked_at is None and token.last_used_at is None

    later = client.get("/profile").get_data(as_text=True)
    assert secret not in later and "Copy your new token now" not in later
    assert "Nightly export" in later and f"{token.prefix}…" in later and "never" in later
    assert _actions(app) == ["api_token.created"]


def test_htmx_create_answers_the_tokens_fragment(login_as):
    client = login_as("sales@gold.demo")
    response = _create(client, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and html.lstrip().startswith('<section id="api-tokens"')
    assert TOKEN_RE.search(html) and "Nightly export" in html


def test_invalid_name_is_422_with_the_form_and_creates_nothing(app, login_as):
    client = login_as("sales@gold.demo")
    for name in ["", "   ", "x" * 81]:
        response = _create(client, name, htmx=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, name
        assert 'id="api-tokens"' in html and 'class="error"' in html and "<html" not in html
    assert _create(client, "").status_code == 422  # the full page, for a plain form post
    assert _tokens(app) == [] and _actions(app) == []


def test_revoke_marks_the_token_revoked_and_audits_it(app, login_as):
    client = login_as("sales@gold.demo")
    _create(client)
    [token] = _tokens(app)
    response = post(client, f"/profile/tokens/{token.id}/revoke", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="api-tokens"' in html
    assert "revoked" in html and "is revoked" in html  # status badge, and the flash swapped out of band
    assert f"/profile/tokens/{token.id}/revoke" not in html
    [token] = _tokens(app)
    assert token.revoked_at is not None
    assert _actions(app) == ["api_token.created", "api_token.revoked"]


def test_revoke_without_htmx_redirects_to_the_profile(login_as):
    client = login_as("sales@gold.demo")
    _create(client)
    response = post(client, "/profile/tokens/1/revoke")
    assert response.status_code == 303 and response.headers["Location"] == "/profile"


def test_a_user_cannot_revoke_someone_elses_token(app, login_as):
    owner = login_as("sales@gold.demo")
    _create(owner)
    [token] = _tokens(app)
    for email in ["presales@gold.demo", "admin@gold.demo", "admin@vendor.demo"]:
        other = login_as(email)
        assert post(other, f"/profile/tokens/{token.id}/revoke").status_code == 404, email
        assert "Nightly export" not in other.get("/profile").get_data(as_text=True)
    assert post(owner, "/profile/tokens/999999/revoke").status_code == 404
    [token] = _tokens(app)
    assert token.revoked_at is None


def test_profile_token_forms_need_csrf(app, login_as):
    client = login_as("sales@gold.demo")
    assert client.post("/profile/tokens", data={"name": "no csrf"}).status_code == 400
    _create(client)
    assert client.post("/profile/tokens/1/revoke").status_code == 400
    assert len(_tokens(app)) == 1 and _tokens(app)[0].revoked_at is None


def test_tokens_belong_to_their_user_in_the_list(app, login_as):
    _create(login_as("sales@gold.demo"), "Gold sales script")
    other = login_as("sales@silver.demo")
    assert "no API tokens" in other.get("/profile").get_data(as_text=True)
    with app.app_context():
        assert _tokens(app)[0].user_id == find_user("sales@gold.demo").id
