"""Deals over the API: the same visibility, validation and conflict rules as the pages."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from deal_support import deal_input
from portal.assets.services import products
from portal.core import clock, tokens
from portal.core.auth import find_user
from portal.deals import services
from portal.deals.models import Deal, DealStatus
from portal.extensions import db


@pytest.fixture
def bearer(app, demo):
    def _bearer(email) -> dict:
        with app.app_context():
            _, secret = tokens.create_token(find_user(email), "script")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return _bearer


@pytest.fixture
def product_ids(app, demo) -> list[int]:
    with app.app_context():
        return [p.id for p in products()[:2]]


def new_deal(product_ids, **overrides) -> dict:
    body = {"customer_company": "Quokka Analytics GmbH", "customer_website": "quokka-analytics.example",
            "contact_name": "Quinn Q", "contact_email": "quinn@quokka-analytics.example", "country": "DE",
            "product_ids": product_ids, "amount": 42000, "currency": "EUR",
            "close_date": (clock.now().date() + timedelta(days=60)).isoformat(), "stage": "proposal"}
    body.update(overrides)
    return body


def register_as(app, email, product_ids, **overrides) -> int:
    with app.app_context():
        deal = services.create_deal(find_user(email), deal_input(product_ids, **overrides), True)
        db.session.commit()
        return deal.id


def test_post_registers_and_answers_201_with_status_and_conflict(app, client, bearer, product_ids):
    response = client.post("/api/v1/deals", json=new_deal(product_ids), headers=bearer("sales@gold.demo"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "submitted" and body["conflict"] == {"level": "green", "reasons": []}
    assert response.headers["Location"] == f"/api/v1/deals/{body['id']}"
    assert body["partner"]["name"] == "Summit Peak Systems" and body["url"].endswith(f"/deals/{body['id']}")


def test_the_conflict_rules_are_the_forms_and_never_name_the_holder(app, client, bearer, product_ids):
    register_as(app, "sales@silver.demo", product_ids, customer_company="Quokka Analytics Holding")
    body = client.post("/api/v1/deals", json=new_deal(product_ids), headers=bearer("sales@gold.demo")).json
    assert body["conflict"]["level"] == "red" and "same domain" in body["conflict"]["reasons"]
    assert "Harborline" not in str(body) and "Holding" not in str(body)


def test_a_draft_when_asked(client, bearer, product_ids):
    body = client.post("/api/v1/deals", json=new_deal(product_ids, submit=False), headers=bearer("sales@gold.demo")).json
    assert body["status"] == "draft" and body["conflict"] is None


def test_invalid_fields_are_422_with_messages_per_field_and_nothing_stored(app, client, bearer, product_ids):
    body = new_deal([], contact_email="nope", amount="lots", close_date="2001-02-03", customer_company=["x"])
    response = client.post("/api/v1/deals", json=body, headers=bearer("sales@gold.demo"))
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) >= {"contact_email", "amount", "close_date", "product_ids", "customer_company"}
    assert fields["product_ids"] == ["Choose at least one product."]
    with app.app_context():
        assert db.session.scalar(sa.select(Deal).where(Deal.customer_company == "x")) is None


def test_an_unknown_product_is_a_field_error(client, bearer):
    response = client.post("/api/v1/deals", json=new_deal([999_999]), headers=bearer("sales@gold.demo"))
    assert response.status_code == 422 and "product_ids" in response.json["error"]["fields"]


def test_malformed_bodies(client, bearer):
    headers = bearer("sales@gold.demo")
    assert client.post("/api/v1/deals", data="customer=x", headers=headers).status_code == 415
    assert client.post("/api/v1/deals", json=[1, 2], headers=headers).status_code == 400


def test_vendor_staff_cannot_register_over_the_api(client, bearer, product_ids):
    response = client.post("/api/v1/deals", json=new_deal(product_ids), headers=bearer("channel@vendor.demo"))
    assert response.status_code == 403 and response.json["error"]["message"]


def test_visibility_matches_the_pages(app, client, bearer, product_ids):
    own = register_as(app, "sales@gold.demo", product_ids, customer_company="Wombat Works")
    other = register_as(app, "sales@silver.demo", product_ids, customer_company="Zebu Systems")
    headers = bearer("sales@gold.demo")
    assert client.get(f"/api/v1/deals/{own}", headers=headers).json["customer_company"] == "Wombat Works"
    missing = client.get(f"/api/v1/deals/{other}", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    assert client.get("/api/v1/deals/999999", headers=headers).json == missing.json
    with app.app_context():
        visible = set(db.session.scalars(services.deals_visible_to(find_user("sales@gold.demo")).with_only_columns(Deal.id)))
    listed = client.get("/api/v1/deals", headers=headers).json
    assert {d["id"] for d in listed["deals"]} == visible and listed["total"] == len(visible)
    vendor = client.get(f"/api/v1/deals/{other}", headers=bearer("channel@vendor.demo"))
    assert vendor.status_code == 200


def test_the_list_filters_by_status_as_of_now(app, client, bearer, product_ids):
    deal_id = register_as(app, "sales@gold.demo", product_ids, customer_company="Wombat Works")
    with app.app_context():
        services.approve(find_user("channel@vendor.demo"), db.session.get(Deal, deal_id))
        db.session.commit()
    headers = bearer("sales@gold.demo")
    with clock.travel(timedelta(days=100)):
        expired = client.get("/api/v1/deals?status=expired&q=wombat", headers=headers).json["deals"]
        assert [d["id"] for d in expired] == [deal_id] and expired[0]["status"] == DealStatus.expired.value


def test_session_cookies_never_authenticate_the_deals_api(login_as, product_ids):
    browser = login_as("sales@gold.demo")
    assert browser.get("/api/v1/deals").status_code == 401
    assert browser.post("/api/v1/deals", json=new_deal(product_ids)).status_code == 401


def test_the_openapi_document_is_valid_and_describes_the_deals_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert {"get", "post"} <= set(document["paths"]["/deals"]) and "get" in document["paths"]["/deals/{deal_id}"]
    assert "Deal" in document["components"]["schemas"]


@pytest.mark.parametrize("amount, status", [(2**31, 201), (10**12, 201), (10**12 + 1, 422), (10**30, 422),
                                            (1e30, 422)])
def test_api_amounts_are_stored_up_to_the_forms_limit(app, client, bearer, product_ids, amount, status):
    response = client.post("/api/v1/deals", json=new_deal(product_ids, amount=amount),
                           headers=bearer("sales@gold.demo"))
    assert response.status_code == status, response.json
    if status == 201:
        assert response.json["amount"] == amount
    else:
        assert "amount" in response.json["error"]["fields"]


def test_json_nested_too_deep_is_a_400_with_a_json_error(client, bearer):
    response = client.post("/api/v1/deals", data="[" * 100_000, content_type="application/json",
                           headers=bearer("sales@gold.demo"))
    assert response.status_code == 400
    assert response.json["error"] == {"status": 400, "message": "The body is nested too deeply."}


@pytest.mark.parametrize("ensure_ascii", [True, False])  # written as \u202e, or as the character itself
def test_a_direction_control_in_a_json_name_is_refused(app, client, bearer, product_ids, ensure_ascii):
    body = json.dumps(new_deal(product_ids, customer_company="Acme\u202egnp.exe"), ensure_ascii=ensure_ascii)
    response = client.post("/api/v1/deals", data=body.encode(), content_type="application/json",
                           headers=bearer("sales@gold.demo"))
    assert response.status_code == 400
    assert "direction controls" in response.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(Deal.id).where(Deal.customer_company.contains("gnp"))) is None
