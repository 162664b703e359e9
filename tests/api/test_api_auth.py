"""The JSON API: bearer tokens only (never the session), JSON errors, the OpenAPI document."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import jsonify
from werkzeug.exceptions import HTTPException

from helpers import post
from portal.api import api_user, json_body
from portal.core import clock, tokens
from portal.core.auth import find_user
from portal.core.models import ApiToken, OrgStatus, User
from portal.extensions import db


def _token_for(app, email, name="script") -> str:
    with app.app_context():
        _, secret = tokens.create_token(find_user(email), name)
        db.session.commit()
    return secret


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _assert_401(response):
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["status"] == 401 and response.json["error"]["message"]


@pytest.fixture
def gold_sales(app, demo):
    return _token_for(app, "sales@gold.demo")


def test_me_answers_who_the_token_belongs_to(app, client, gold_sales):
    response = client.get("/api/v1/me", headers=_bearer(gold_sales))
    assert response.status_code == 200 and response.is_json
    with app.app_context():
        user = find_user("sales@gold.demo")
        expected = {"id": user.id, "name": user.name, "email": "sales@gold.demo", "role": "partner_user",
                    "persona": "sales", "org": {"id": user.org_id, "name": "Summit Peak Systems"}}
    assert response.json == expected
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Basic c2FsZXM6cGFydG5lcmhvdXNl", "Token {secret}", "Bearer {secret}x",
    "Bearer ph_not-a-real-token", "Bearer not-even-the-prefix", "{secret}",
])
def test_missing_wrong_or_malformed_tokens_are_401_json(client, gold_sales, authorization):
    headers = {} if authorization is None else {"Authorization": authorization.format(secret=gold_sales)}
    _assert_401(client.get("/api/v1/me", headers=headers))


def test_the_session_cookie_never_authenticates_the_api(login_as, app):
    browser = login_as("sales@gold.demo")
    assert browser.get("/profile").status_code == 200
    _assert_401(browser.get("/api/v1/me"))
    _assert_401(browser.get("/api/v1/me", headers={"HX-Request": "true"}))
    # With both, the token decides who acts, not the session.
    secret = _token_for(app, "marketing@gold.demo")
    assert browser.get("/api/v1/me", headers=_bearer(secret)).json["email"] == "marketing@gold.demo"


def test_a_revoked_token_stops_working(app, client, gold_sales):
    assert client.get("/api/v1/me", headers=_bearer(gold_sales)).status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        tokens.revoke_token(token.user, token)
        db.session.commit()
    _assert_401(client.get("/api/v1/me", headers=_bearer(gold_sales)))


def test_a_deactivated_user_or_suspended_org_loses_api_access(app, client, gold_sales):
    with app.app_context():
        find_user("sales@gold.demo").active = False
        db.session.commit()
    _assert_401(client.get("/api/v1/me", headers=_bearer(gold_sales)))
    with app.app_context():
        user = find_user("sales@gold.demo")
        user.active = True
        user.org.status = OrgStatus.suspended
        db.session.commit()
    _assert_401(client.get("/api/v1/me", headers=_bearer(gold_sales)))


def test_last_used_is_recorded_at_most_once_a_minute(app, client, gold_sales):
    def last_used():
        with app.app_context():
            return db.session.scalar(sa.select(ApiToken.last_used_at))

    client.get("/api/v1/me", headers=_bearer(gold_sales))
    first = last_used()
    assert first is not None
    with clock.travel(timedelta(seconds=30)):
        assert client.get("/api/v1/me", headers=_bearer(gold_sales)).status_code == 200
        assert last_used() == first
    with clock.travel(timedelta(minutes=2)):
        assert client.get("/api/v1/me", headers=_bearer(gold_sales)).status_code == 200
        assert last_used() > first


def test_recording_use_on_a_get_survives_a_concurrent_write(client, gold_sales, monkeypatch):
    """A GET reads the token in a plain BEGIN, which SQLite cannot turn into a write once
    another connection has written ("database is locked"): the stamp must not depend on it."""
    def stale_after_another_write(token):
        with db.engine.connect() as other:
            other.execute(sa.update(User).where(User.id == token.user_id).values(name=User.name + "."))
            other.commit()
        return True

    monkeypatch.setattr(tokens, "use_is_stale", stale_after_another_write)
    assert client.get("/api/v1/me", headers=_bearer(gold_sales)).status_code == 200


def test_unknown_paths_and_methods_answer_json(client, gold_sales):
    missing = client.get("/api/v1/xyz", headers=_bearer(gold_sales))
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    wrong_method = client.post("/api/v1/me", headers=_bearer(gold_sales))
    assert wrong_method.status_code == 405 and wrong_method.json["error"]["status"] == 405
    assert "GET" in wrong_method.headers["Allow"]


def test_the_openapi_document_is_public_and_describes_me(client, demo):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    doc = response.json
    assert doc["openapi"].startswith("3.1.")
    assert doc["paths"]["/me"]["get"]["responses"]["200"]
    assert doc["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer", "description": "A personal API token (ph_…)."}
    assert "Error" in doc["components"]["schemas"]


def test_every_api_route_is_documented_and_every_documented_path_routed(app, client):
    routed = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", r.rule.removeprefix("/api/v1")), method.lower())
        for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
        for method in r.methods - {"HEAD", "OPTIONS"}
    }
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert routed == {(path, method) for path, operations in paths.items() for method in operations}


@pytest.fixture
def echo(app):
    """A POST endpoint in the api blueprint, as the deals endpoints will add (added to the app
    before its first request; its endpoint name puts it in the blueprint)."""

    def echo_view():
        return jsonify(user=api_user().email, body=json_body())

    app.add_url_rule("/api/v1/test-echo", endpoint="api.test_echo", view_func=echo_view, methods=["POST"])


def test_api_posts_need_a_token_not_csrf(app, demo, echo):
    secret = _token_for(app, "sales@gold.demo")
    client = app.test_client()
    response = client.post("/api/v1/test-echo", json={"name": "Deal"}, headers=_bearer(secret))
    assert response.status_code == 200
    assert response.json == {"user": "sales@gold.demo", "body": {"name": "Deal"}}
    # A signed-in browser with a valid CSRF token still cannot post without a token.
    browser = app.test_client()
    post(browser, "/login", {"email": "sales@gold.demo", "password": "partnerhouse"})
    _assert_401(post(browser, "/api/v1/test-echo", {"name": "Deal"}))


@pytest.mark.parametrize("kwargs, status, message", [
    ({"data": "name=Deal", "content_type": "application/x-www-form-urlencoded"}, 415, "application/json"),
    ({"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
    ({"data": "", "content_type": "application/json"}, 400, "not valid JSON"),
    ({"json": ["a", "list"]}, 400, "JSON object"),
    ({"data": "null", "content_type": "application/json"}, 400, "JSON object"),
])
def test_json_body_refuses_what_is_not_a_json_object(app, demo, echo, kwargs, status, message):
    secret = _token_for(app, "sales@gold.demo")
    response = app.test_client().post("/api/v1/test-echo", headers=_bearer(secret), **kwargs)
    assert response.status_code == status
    assert response.json["error"]["status"] == status and message in response.json["error"]["message"]


def test_api_user_outside_a_token_request_is_401(app):
    with app.test_request_context("/api/v1/openapi.json"), pytest.raises(HTTPException) as raised:
        api_user()
    assert raised.value.code == 401
