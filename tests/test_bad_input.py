"""Nothing a user can type is a 500 (house rule 12): huge numbers in paths and query strings,
and an error page after a failed statement (deal forms: tests/deals/test_deal_input_limits.py).
Found by walking app.url_map, on SQLite and on Postgres."""
import re

import pytest
from werkzeug.routing import IntegerConverter

from portal.core.models import Organization
from portal.extensions import db

NINES = "9" * 30
HUGE_PAGES = (str(2**63 - 1), str(10**26))
ID_PARAMS = ("org", "product", "template", "partner", "v")
PEOPLE = ("admin@vendor.demo", "admin@gold.demo")
ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _get_rules(app, with_int_args: bool):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        has_int = any(isinstance(rule._converters[arg], IntegerConverter) for arg in rule.arguments)
        if has_int is with_int_args:
            yield rule


def _with_huge_ids(rule) -> str:
    """The rule's path with 30 nines for every int argument (and a plausible word elsewhere)."""
    return ARG.sub(lambda match: NINES if match.group(1) == "int" else "sales", rule.rule)


def test_the_int_converter_is_the_bounded_one(app):
    assert any(True for _ in _get_rules(app, with_int_args=True))
    for rule in _get_rules(app, with_int_args=True):
        assert all(rule._converters[arg].max == 2**31 - 1 for arg in rule.arguments
                   if isinstance(rule._converters[arg], IntegerConverter)), rule.rule


@pytest.mark.parametrize("email", PEOPLE)
def test_every_id_in_a_path_out_of_range_is_a_404(app, login_as, email):
    client = login_as(email)
    checked = 0
    for rule in _get_rules(app, with_int_args=True):
        if rule.endpoint.startswith("api."):
            continue  # tokens, not sessions: below
        url = _with_huge_ids(rule)
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("email", PEOPLE)
def test_huge_pages_and_ids_in_query_strings_never_break_a_page(app, login_as, email):
    client = login_as(email)
    ids = "&".join(f"{name}={NINES}" for name in ID_PARAMS)
    for rule in _get_rules(app, with_int_args=False):
        if rule.arguments - {"persona"} or rule.endpoint.startswith("api."):
            continue
        for page in HUGE_PAGES:
            url = f"{_with_huge_ids(rule)}?page={page}&{ids}&q=backup"
            assert client.get(url).status_code < 500, url


def test_api_ids_and_pages_out_of_range(app, login_as):
    from portal.core.auth import find_user
    from portal.core.tokens import create_token

    login_as("sales@gold.demo")  # seeds the demo
    with app.app_context():
        secret = create_token(find_user("sales@gold.demo"), "bounds")[1]
        db.session.commit()
    client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    missing = client.get(f"/api/v1/deals/{NINES}", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    for page in HUGE_PAGES:
        listed = client.get(f"/api/v1/deals?page={page}", headers=headers)
        assert listed.status_code == 200 and listed.json["deals"] == []


def test_the_error_page_after_a_failed_statement_is_the_ordinary_500(app, login_as):
    def fails_in_a_flush():
        db.session.commit()  # as after any earlier step: loaded rows, current_user too, reload on use
        db.session.add(Organization())  # no name: NOT NULL fails in the flush
        db.session.flush()

    app.add_url_rule("/fails", "fails", fails_in_a_flush)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    client = login_as("sales@gold.demo")
    response = client.get("/fails")
    assert response.status_code == 500
    assert "Sign out" in response.get_data(as_text=True)  # the layout, with the signed-in user's menu
