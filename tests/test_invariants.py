"""Rules that hold for every endpoint, found by walking app.url_map (no hand-kept list)."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from werkzeug.routing import IntegerConverter

from helpers import csrf_token, htmx_get, login
from portal.agreements.models import Acceptance
from portal.assets.models import Asset
from portal.demo.cobrand import TEMPLATES
from portal.cobrand.models import CobrandedPdf, CobrandTemplate
from factories import make_partner, make_user
from portal.core.access import DISTRIBUTOR_ADMIN, gate_of, is_public, public, vendor_required
from portal.core.auth import find_user
from portal.core.models import Organization, PartnerType, Role
from portal.core.passwords import hash_password
from portal.deals.models import Deal, DealStatus
from portal.extensions import db
from portal.rooms.models import Announcement
from portal.training.models import Attempt, Certificate, LearningPath
from search import postgres_index

GOLD_TEMPLATE = TEMPLATES[1][0]
SAMPLE_ARGS = {"persona": "sales", "purpose": "invite", "token": "not-a-token", "name": "customer_company",
               "code": "NOT-A-CODE", "currency": "EUR"}


def _rules(app, method):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static" and method in r.methods]


def _url(app, rule, ids=None):
    values = {}
    for arg in rule.arguments:
        values[arg] = (ids or {}).get(arg, 1) if isinstance(rule._converters[arg], IntegerConverter) \
            else SAMPLE_ARGS[arg]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values, _external=False)


def _is_public(app, rule):
    return is_public(app.view_functions[rule.endpoint])


def _is_api(rule):
    return rule.endpoint.startswith("api.")


def test_anonymous_is_sent_to_login_everywhere_but_public_views(app, client, demo):
    checked = 0
    for rule in _rules(app, "GET"):
        url = _url(app, rule)
        response = client.get(url)
        if _is_public(app, rule):
            assert response.status_code in (200, 404), url
            continue
        if _is_api(rule):
            assert response.status_code == 401 and response.is_json, url
            continue
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
        htmx = htmx_get(client, url)
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login"), url
        checked += 1
    assert checked >= 10


def test_public_views_are_only_the_sign_in_pages(app):
    public = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static" and _is_public(app, r)}
    assert public == {"auth.login", "auth.forgot_password", "auth.set_password", "api.openapi_document",
                      "training.verify", "onboarding.apply", "agreements.verify"}


def test_every_endpoint_declares_its_gate(app):
    """A new route without a gate decorator fails here (the API's views have its bearer guard)."""
    ungated = [r.endpoint for r in _rules(app, "GET") + _rules(app, "POST") if gate_of(app, r.endpoint) is None]
    assert ungated == []


def test_a_view_has_exactly_one_gate():
    def view():
        return "hello"

    with pytest.raises(TypeError, match="exactly one"):
        vendor_required(public(view))


ROLE_USERS = {Role.admin: "admin@vendor.demo", Role.channel_manager: "channel@vendor.demo",
              Role.partner_admin: "admin@gold.demo", Role.partner_user: "sales@gold.demo"}


def test_each_role_gate_refuses_every_role_it_does_not_admit(app, demo):
    """With ids of objects that exist (Gold's, which vendor staff may otherwise see), every
    role a gate leaves out gets the gate's answer: 403, or 404 for partners' own pages."""
    gold_ids = _gold_ids(app)
    clients = {}
    for role, email in ROLE_USERS.items():
        clients[role] = app.test_client()
        login(clients[role], email)
    gates = set()
    for rule in app.url_map.iter_rules():
        gate = None if rule.endpoint == "static" else gate_of(app, rule.endpoint)
        if gate is None or gate.roles is None:
            continue
        gates.add(gate.name)
        url = _url(app, rule, gold_ids)
        for role in set(Role) - gate.roles:
            client = clients[role]
            for method in {"GET", "POST"} & rule.methods:
                response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
                assert response.status_code == gate.refusal, (role.value, method, rule.rule)
    assert gates >= {"vendor", "vendor_admin", "partner_admin", "team_admin", "team_viewer", "partner",
                     "distributor_admin"}


def test_a_gate_for_some_partner_types_refuses_admins_of_the_others(app, demo):
    """Gold's admin is a partner admin of a reseller: a distributor's pages do not exist for them."""
    client = app.test_client()
    login(client, "admin@gold.demo")
    token, ids = csrf_token(client), _gold_ids(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        gate = None if rule.endpoint == "static" else gate_of(app, rule.endpoint)
        if gate is None or gate.partner_types is None:
            continue
        url = _url(app, rule, ids)
        for method in {"GET", "POST"} & rule.methods:
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code == gate.refusal, (method, rule.rule)
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("email", ["admin@vendor.demo", "admin@gold.demo"])
def test_the_api_refuses_a_signed_in_browser_without_a_token(app, demo, email):
    """Session cookies never authenticate the API (which is why it needs no CSRF token)."""
    client = app.test_client()
    login(client, email)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not _is_api(rule) or _is_public(app, rule):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(app, rule), method=method, headers={"X-CSRFToken": csrf_token(client)})
            assert response.status_code == 401 and response.is_json, (method, rule.rule)
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("email", [None, "admin@vendor.demo", "admin@gold.demo"])
def test_every_post_without_csrf_is_refused(app, demo, email):
    client = app.test_client()
    if email:
        login(client, email)
    posts = [rule for rule in _rules(app, "POST") if not _is_api(rule)]  # the API: bearer tokens only
    assert len(posts) >= 8
    for rule in posts:
        response = client.post(_url(app, rule), data={})
        assert response.status_code == 400, rule.rule
        htmx = client.post(_url(app, rule), data={}, headers={"HX-Request": "true"})
        assert htmx.status_code == 400 and htmx.headers.get("HX-Refresh") == "true", rule.rule


def _gold_ids(app):
    with app.app_context():
        gold = db.session.scalar(sa.select(Organization).where(Organization.name == "Summit Peak Systems"))
        return {
            "user_id": find_user("sales@gold.demo").id,
            "partner_id": gold.id,
            # Meridian Distribution's reseller: only Meridian's admins may look at it.
            "reseller_id": db.session.scalar(sa.select(Organization.id).where(Organization.name == "Lakeside Tech")),
            "announcement_id": db.session.scalar(sa.select(sa.func.max(Announcement.id))),
            # Gold and above only: Silver must not be able to tell it exists.
            "asset_id": db.session.scalar(sa.select(Asset.id).where(Asset.title == "Gold Partner Pricing Playbook")),
            "deal_id": db.session.scalar(sa.select(sa.func.min(Deal.id)).where(Deal.org_id == gold.id)),
            # Gold only: the invitation template; and the flyer PDF Gold's marketer made.
            "template_id": db.session.scalar(sa.select(CobrandTemplate.id).where(CobrandTemplate.title == GOLD_TEMPLATE)),
            "pdf_id": db.session.scalar(sa.select(CobrandedPdf.id).where(CobrandedPdf.org_id == gold.id)),
            # Training: Gold's own records, and a path for Gold-and-above presales people only.
            "attempt_id": db.session.scalar(sa.select(sa.func.min(Attempt.id)).where(Attempt.org_id == gold.id)),
            "certificate_id": db.session.scalar(sa.select(Certificate.id).where(Certificate.org_id == gold.id)),
            # Gold's acceptance of the partner agreement (its PDF).
            "acceptance_id": db.session.scalar(sa.select(Acceptance.id).where(Acceptance.org_id == gold.id)),
            **_gold_only_training(),
        }


def _gold_only_training():
    path = db.session.scalar(sa.select(LearningPath).where(LearningPath.title == "Technical Specialist"))
    course = path.courses[0]
    return {"path_id": path.id, "course_id": course.id, "lesson_id": course.lessons[0].id, "quiz_id": course.quiz_id}


def test_partner_b_cannot_tell_partner_a_objects_exist(app, demo):
    """For every URL with an id: Silver's admin gets the same answer for Gold's object as
    for an id that does not exist (404, or 403 for a page their role never reaches)."""
    silver = app.test_client()
    login(silver, "admin@silver.demo")
    gold_ids = _gold_ids(app)
    missing = {name: 999_999 for name in gold_ids}
    token = csrf_token(silver)
    checked = 0
    for rule in app.url_map.iter_rules():
        int_args = [a for a in rule.arguments if a in gold_ids]
        if not int_args or _is_api(rule):  # tokens, not sessions: see tests/api
            continue
        for method in {"GET", "POST"} & rule.methods:
            call = silver.get if method == "GET" else lambda u: silver.post(u, data={"csrf_token": token})
            real = call(_url(app, rule, gold_ids))
            fake = call(_url(app, rule, missing))
            assert real.status_code in (403, 404), rule.rule
            assert real.status_code == fake.status_code, rule.rule
            checked += 1
    assert checked >= 25


def test_distributor_b_cannot_tell_distributor_a_resellers_exist(app, demo):
    """For every URL of a distributor's pages with an id: another distributor's admin gets the
    same 404 for Meridian's reseller and its deal as for ids that do not exist."""
    with app.app_context():
        other = make_partner(name="Orion Channel Supply", partner_type=PartnerType.distributor)
        make_user(other, Role.partner_admin, email="admin@orion.example", password_hash=hash_password("partnerhouse"))
        lakeside = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Lakeside Tech"))
        ids = {"reseller_id": lakeside, "deal_id": db.session.scalar(
            sa.select(sa.func.min(Deal.id)).where(Deal.org_id == lakeside, Deal.status != DealStatus.draft))}
        db.session.commit()
    client = app.test_client()
    login(client, "admin@orion.example")
    token, missing = csrf_token(client), {name: 999_999 for name in ids}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or gate_of(app, rule.endpoint) is not DISTRIBUTOR_ADMIN:
            continue
        if not set(rule.arguments) & set(ids):
            continue
        for method in {"GET", "POST"} & rule.methods:
            call = client.get if method == "GET" else lambda u: client.post(u, data={"csrf_token": token})
            real, fake = call(_url(app, rule, ids)), call(_url(app, rule, missing))
            assert real.status_code == fake.status_code == 404, rule.rule
            checked += 1
    assert checked >= 2


def test_security_headers_on_every_page(client, demo):
    for url in ["/login", "/password/forgot", "/static/css/portal.css"]:
        with client.get(url) as response:
            headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_vary_on_hx_request(login_as):
    client = login_as("sales@gold.demo")
    assert "HX-Request" in client.get("/rooms/sales").headers["Vary"]


def test_migrations_produce_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _not_search_table})
        assert compare_metadata(context, db.metadata) == []


def _not_search_table(name, type_, parent_names) -> bool:
    """The PostgreSQL search backend's tables are made by migration 0011 for search/, not
    from models: the comparison leaves them out."""
    return not (type_ == "table" and name in postgres_index.TABLES)


# The partner agreement gates deal registration (a partner's own, and a distributor's on a
# reseller's behalf) and co-branding's Create PDF; it is a mark, not a second gate.
AGREEMENT_GATED = {"deals.new": "deals", "deals.edit": "deals", "deals.submit": "deals",
                   "program.register_for_reseller": "deals", "cobrand.create_pdf": "cobrand"}


def test_exactly_the_intended_endpoints_need_the_agreement(app):
    marked = {rule.endpoint: app.view_functions[rule.endpoint].needs_agreement for rule in app.url_map.iter_rules()
              if getattr(app.view_functions[rule.endpoint], "needs_agreement", None)}
    assert marked == AGREEMENT_GATED
    for endpoint in marked:
        assert gate_of(app, endpoint) is not None  # still its one role gate, under which the mark sits
