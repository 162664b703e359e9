"""schemathesis holds the API to its OpenAPI document, as an integrator would run it.

It loads the whole document from the app, so an operation added to it later is tested here
with nothing to add: every operation, as a partner rep and as a channel manager, with all of
schemathesis's checks (no server errors, only documented status codes, responses that match
their schemas, schema-valid requests accepted, schema-violating ones rejected, a 401 without
the token), and stateful runs that follow the document's links (register a deal, then read it).
The seed is fixed, so a run is repeatable and a failure reproduces.
"""
from datetime import date, timedelta

import email_validator
import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode

from deal_support import deal_input
from factories import make_partner, make_user
from portal.assets.models import Product
from portal.core import clock, tokens
from portal.core.models import Organization, OrgKind, Role
from portal.deals import matching, services
from portal.deals.forms import LONGEST_SALES_CYCLE
from portal.extensions import db

SEED = 20
MAX_EXAMPLES = 10
CONFIG = {
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True, "generate-duplicate-query-parameters": True},
               "fuzzing": {"enabled": True}, "stateful": {"enabled": True, "max-steps": 4}},
    "checks": {"enabled": True},
}
STATEFUL = hypothesis.settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                               suppress_health_check=list(hypothesis.HealthCheck), stateful_step_count=4)


@pytest.fixture
def world(app):
    """A partner rep and a rival partner's rep, each with a deal; a channel manager; two products.
    The rep must get 404 for the rival's deal, which the channel manager may read."""
    with app.app_context():
        vendor = Organization(name="Vendor", kind=OrgKind.vendor)
        db.session.add(vendor)
        rep = make_user(make_partner("gold", name="Summit"), email="rep@summit.example")
        rival = make_user(make_partner(name="Harbor"), email="rep@harbor.example")
        channel = make_user(vendor, role=Role.channel_manager, email="channel@vendor.example")
        product_ids = [_product("Backup Suite"), _product("Cloud Vault")]
        services.create_deal(rep, deal_input(product_ids), True)
        services.create_deal(rival, deal_input(product_ids, customer_company="Wombat Works",
                                               customer_website="wombat.example"), True)
        secrets = {user.email: tokens.create_token(user, "schemathesis")[1] for user in (rep, channel)}
        db.session.commit()
        return {"secrets": secrets, "product_ids": product_ids}


def _product(name: str) -> int:
    product = Product(name=name)
    db.session.add(product)
    db.session.flush()
    return product.id


@pytest.fixture(params=["rep@summit.example", "channel@vendor.example"])
def api_schema(request, app, world):
    config = schemathesis.Config.from_dict({**CONFIG, "headers": {"Authorization": f"Bearer {world['secrets'][request.param]}"}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    schema.hook(_rules_beyond_the_schema(world["product_ids"]))
    return schema


def _rules_beyond_the_schema(product_ids: list[int]):
    """A schema-valid registration may still break a rule the document states in words only
    (a known product, a close date in the window, a real domain, address and phone number). Positive
    cases are moved inside those rules, so every other 422 to a schema-valid body fails the
    run; the rules themselves are tested in tests/deals and test_api_deals.py."""

    def map_case(context, case):
        if case.operation.label != "POST /deals" or case.meta.generation.mode is not GenerationMode.POSITIVE:
            return case
        body = case.body
        if body.get("product_ids"):
            body["product_ids"] = [product_ids[i % len(product_ids)] for i in body["product_ids"]]
        if "close_date" in body:
            days = date.fromisoformat(body["close_date"]).toordinal() % LONGEST_SALES_CYCLE.days
            body["close_date"] = (clock.now().date() + timedelta(days=days)).isoformat()
        if "customer_website" in body and matching.normalize_domain(body["customer_website"]) is None:
            body["customer_website"] = "customer.example"
        if "contact_email" in body and not _deliverable_syntax(body["contact_email"]):
            body["contact_email"] = "buyer@customer.example"
        if "contact_phone" in body and matching.normalize_phone(body["contact_phone"]) is None:
            body["contact_phone"] = "+1 608 555 0175"
        return case

    return map_case


def _deliverable_syntax(email: str) -> bool:
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_keeps_its_word(case):
    case.call_and_validate()


def test_register_then_read_keeps_its_word(api_schema):
    api_schema.as_state_machine().run(settings=STATEFUL)
