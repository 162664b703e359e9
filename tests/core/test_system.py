import importlib
import re
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import htmx_get, post
from portal import create_app
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, OutboxEmail
from portal.extensions import db


def test_audit_log_filters_by_action_and_org(app, login_as):
    admin = login_as("admin@vendor.demo")
    with app.app_context():
        harborline = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Harborline IT"))
    post(admin, f"/program/partners/{harborline}/override", {"tier": "gold", "reason": "Joint venture"})
    html = admin.get(f"/audit?action=program.&org={harborline}").get_data(as_text=True)
    assert "Harborline IT: Silver → Gold (override, by Ada Okafor)" in html and "Ada Okafor" in html
    fragment = htmx_get(admin, "/audit?action=user.").get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results"') and "Nothing recorded" in fragment


def test_audit_log_is_vendor_only(login_as):
    assert login_as("admin@gold.demo").get("/audit").status_code == 403
    assert login_as("channel@vendor.demo").get("/audit").status_code == 200


def test_outbox_shows_invitations_to_vendor_admins(app, login_as):
    post(login_as("admin@gold.demo"), "/team/", {"name": "Olga Out", "email": "olga@gold.example",
                                                "persona": "sales", "role": "partner_user"})
    html = login_as("admin@vendor.demo").get("/outbox").get_data(as_text=True)
    assert "You are invited to Partnerhouse" in html and "olga@gold.example" in html
    assert login_as("channel@vendor.demo").get("/outbox").status_code == 403


def test_cli_seed_demo_twice_and_create_user(app, runner, monkeypatch):
    from cli import cli

    monkeypatch.setenv("PORTAL_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    result = runner.invoke(cli, ["seed-demo", "--partners", "3"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["seed-demo"])  # again: reuses the data
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["create-user", "--email", "ops@vendor.demo", "--name", "Ops", "--org",
                                 "Acme Cloud", "--role", "admin", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cli, ["create-user", "--email", "x@y.z", "--name", "X", "--org", "Acme Cloud",
                              "--role", "partner_user", "--password", "a long password"])
    assert bad.exit_code != 0 and "does not fit" in bad.output
    with app.app_context():
        assert find_user("ops@vendor.demo").role.value == "admin"
        assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 6 + 3
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "user.created"))


def test_demo_serves_with_no_transaction_open_when_already_seeded(app, runner, monkeypatch):
    """An open transaction holds SQLite's write lock: every sign-in to the demo would fail."""
    from cli import cli

    monkeypatch.setenv("PORTAL_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    assert runner.invoke(cli, ["seed-demo"]).exit_code == 0
    in_transaction = []
    monkeypatch.setattr("portal.commands.run_simple", lambda *args, **kwargs: in_transaction.append(
        db.session().in_transaction()))
    result = runner.invoke(cli, ["demo", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert in_transaction == [False]


def test_a_fresh_data_dir_is_created(tmp_path):
    data_dir = tmp_path / "new" / "instance"
    create_app({"DATA_DIR": str(data_dir), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'portal.db'}"})
    assert data_dir.is_dir()


@pytest.mark.parametrize("method, url, data", [
    ("get", "/co-brand/1?custom_message=a%00b", None),
    ("get", "/search?q=back%00up", None),
    ("post", "/co-brand/1/pdf", {"custom_message": "a\x00b"}),
    ("post", "/brand-kit", {"display_name": "Summit\x00Peak"}),
    ("post", "/deals/new", {"customer_company": "Null\x00Corp", "action": "draft"}),
])
def test_text_with_a_nul_character_is_a_clear_400_on_every_database(login_as, method, url, data):
    """Postgres cannot store U+0000: refused up front, never a 500 from deep in an INSERT."""
    client = login_as("marketing@gold.demo")
    response = client.get(url) if method == "get" else post(client, url, data)
    assert response.status_code == 400
    assert "Text may not contain NUL" in response.get_data(as_text=True)


def test_a_json_body_with_a_nul_character_is_refused(app, login_as):
    from portal.core.tokens import create_token

    with app.app_context():
        token = create_token(find_user("sales@gold.demo"), "NUL test")[1]
        db.session.commit()
    response = app.test_client().post("/api/v1/deals", json={"customer_company": "Null\x00Corp"},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.is_json


def test_outside_development_and_demo_a_missing_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRET_KEY")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(SystemExit) as refused:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.db'}"})
    assert str(refused.value) == "Partnerhouse will not start: PORTAL_SECRET_KEY is not set (PORTAL_ENV is 'production')."
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("env", ["development", "demo"])
def test_development_and_demo_generate_a_secret_key_once(monkeypatch, tmp_path, env):
    monkeypatch.delenv("PORTAL_SECRET_KEY")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_ENV", env)
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.db'}"}
    first, second = create_app(config), create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()
    assert not first.config["SESSION_COOKIE_SECURE"]  # they run on plain http


def test_cli_py_flask_and_the_console_script_are_the_same_commands(app, runner):
    from cli import cli
    from portal.commands import COMMANDS

    scripts = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["partnerhouse"].partition(":")
    assert getattr(importlib.import_module(module), name) is cli
    assert {command.name for command in COMMANDS} <= set(app.cli.commands)  # `flask --app portal …`
    result = runner.invoke(cli, ["reindex"])  # `python cli.py reindex`, on the app it is given
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Search index rebuilt")


def _reset_link(client, email: str) -> str:
    post(client, "/password/forgot", {"email": email})
    with client.application.app_context():
        body = db.session.scalar(sa.select(OutboxEmail.body).where(OutboxEmail.to == email)
                                 .order_by(OutboxEmail.id.desc()).limit(1))
    return re.search(r"\S+/password/reset/\S+", body).group()


def test_links_in_emails_never_use_the_request_host(app, client, demo):
    """Without PORTAL_BASE_URL, email links take the default, not the Host header of whoever asked."""
    assert app.config["BASE_URL"] == ""
    assert _reset_link(client, "sales@gold.demo").startswith("http://localhost:5000/password/reset/")


def test_links_in_emails_use_the_base_url_when_set(app, client, demo):
    app.config["BASE_URL"] = "https://partners.acme.example"
    assert _reset_link(client, "sales@gold.demo").startswith("https://partners.acme.example/password/reset/")
