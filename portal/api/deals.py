"""Deals over the API: list, read and register, with the same visibility, validation
and conflict rules as the pages (the same scoped query, form and services)."""
from flask import abort, jsonify, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from portal.api import api_bp, api_user, json_body
from portal.api.openapi import PATHS, SCHEMAS, error_responses, json_response, schema_ref
from portal.assets.services import products
from portal.core import clock
from portal.deals import services
from portal.deals.forms import DealForm
from portal.deals.models import Deal, DealStage, DealStatus
from portal.extensions import db
from portal.web.pagination import paginate
from portal.web.params import enum_arg

FORM_FIELDS = ("customer_company", "customer_website", "contact_name", "contact_email", "contact_phone", "country",
               "product_ids", "amount", "currency", "close_date", "stage", "notes")


def deal_json(deal: Deal) -> dict:
    now = clock.now()
    return {
        "id": deal.id,
        "status": deal.status_at(now).value,
        "customer_company": deal.customer_company,
        "customer_website": deal.customer_website,
        "contact_name": deal.contact_name,
        "contact_email": deal.contact_email,
        "contact_phone": deal.contact_phone,
        "country": deal.country,
        "products": [{"id": p.id, "name": p.name} for p in deal.products],
        "amount": deal.amount,
        "currency": deal.currency,
        "close_date": deal.close_date.isoformat(),
        "stage": deal.stage.value,
        "notes": deal.notes,
        "partner": {"id": deal.org.id, "name": deal.org.name},
        "owner": {"id": deal.owner.id, "name": deal.owner.name},
        "submitted_at": _iso(deal.submitted_at),
        "protected_until": _iso(deal.protected_until),
        "rejection_reason": deal.rejection_reason,
        "conflict": ({"level": deal.conflict_level.value, "reasons": [r.value for r in deal.reasons]}
                     if deal.conflict_level else None),
        "url": url_for("deals.detail", deal_id=deal.id, _external=True),
    }


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


@api_bp.get("/deals")
def list_deals():
    filters = services.DealFilters(status=enum_arg(DealStatus, "status"), text=request.args.get("q", "")[:100])
    stmt = services.deal_list(api_user(), filters).options(selectinload(Deal.products))
    page = paginate(stmt, request.args.get("page", 1, type=int))
    return jsonify({"deals": [deal_json(deal) for deal in page.items], "page": page.page, "pages": page.pages,
                    "total": page.total})


@api_bp.get("/deals/<int:deal_id>")
def get_deal(deal_id: int):
    return jsonify(deal_json(services.get_deal(api_user(), deal_id)))


@api_bp.post("/deals")
def create_deal():
    user = api_user()
    if user.is_vendor:
        abort(403, "Deals are registered by partners; vendor staff review them.")
    body = json_body()
    form = DealForm(formdata=_as_form_data(body), meta={"csrf": False})
    form.set_product_choices(products())
    if not form.validate():
        return _invalid(form.errors)
    submit_now = body.get("submit", True) is not False
    deal = services.create_deal(user, form.to_input(), submit_now)
    db.session.commit()
    response = jsonify(deal_json(deal))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_deal", deal_id=deal.id)
    return response


def _as_form_data(body: dict) -> MultiDict:
    """The JSON object as the form would post it; a list only where the form takes several values."""
    pairs = []
    for name in FORM_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        values = value if isinstance(value, list) and name == "product_ids" else [value]
        pairs.extend((name, "" if isinstance(v, (dict, list, bool)) else str(v)) for v in values)
    return MultiDict(pairs)


def _invalid(errors: dict):
    response = jsonify({"error": {"status": 422, "message": "Some fields are not valid.", "fields": errors}})
    response.status_code = 422
    return response


# --- the OpenAPI description -------------------------------------------------------------

_NULLABLE_STRING = {"type": ["string", "null"]}
SCHEMAS["Deal"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in DealStatus],
                   "description": "As of now: an approval past its protection date reads expired."},
        "customer_company": {"type": "string"},
        "customer_website": _NULLABLE_STRING,
        "contact_name": {"type": "string"},
        "contact_email": _NULLABLE_STRING,
        "contact_phone": _NULLABLE_STRING,
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "products": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}}},
        "amount": {"type": "integer"},
        "currency": {"type": "string"},
        "close_date": {"type": "string", "format": "date"},
        "stage": {"type": "string", "enum": [s.value for s in DealStage]},
        "notes": {"type": "string"},
        "partner": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "owner": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
        "protected_until": {"type": ["string", "null"], "format": "date-time"},
        "rejection_reason": _NULLABLE_STRING,
        "conflict": {
            "type": ["object", "null"],
            "description": "The conflict check at submission. It says what matched, never whose registration.",
            "properties": {"level": {"type": "string", "enum": ["green", "amber", "red"]},
                           "reasons": {"type": "array", "items": {"type": "string"}}},
        },
        "url": {"type": "string", "format": "uri", "description": "The deal's page in the portal."},
    },
}
SCHEMAS["NewDeal"] = {
    "type": "object",
    "required": ["customer_company", "contact_name", "country", "product_ids", "amount", "close_date"],
    "properties": {
        "customer_company": {"type": "string", "maxLength": 200},
        "customer_website": {"type": "string", "description": "The customer's domain, e.g. acme.com"},
        "contact_name": {"type": "string", "maxLength": 200},
        "contact_email": {"type": "string", "format": "email"},
        "contact_phone": {"type": "string", "description": "At least 7 digits"},
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "product_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        "amount": {"type": "integer", "minimum": 1},
        "currency": {"type": "string", "default": "USD"},
        "close_date": {"type": "string", "format": "date"},
        "stage": {"type": "string", "enum": [s.value for s in DealStage], "default": "qualified"},
        "notes": {"type": "string", "maxLength": 4000},
        "submit": {"type": "boolean", "default": True, "description": "false saves a draft"},
    },
}
SCHEMAS["ValidationError"] = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer", "const": 422}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "Field name -> its messages"}}}},
}
PATHS["/deals"] = {
    "get": {
        "operationId": "listDeals",
        "summary": "The deals you may see: your own (partner user), your org's (partner admin), all (vendor)",
        "parameters": [
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": [s.value for s in DealStatus]}},
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Part of the customer's name"},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        ],
        "responses": {
            "200": json_response("One page of deals", {"type": "object", "properties": {
                "deals": {"type": "array", "items": schema_ref("Deal")}, "page": {"type": "integer"},
                "pages": {"type": "integer"}, "total": {"type": "integer"}}}),
            **error_responses(401),
        },
    },
    "post": {
        "operationId": "registerDeal",
        "summary": "Register a deal (submitted for review unless submit is false), with the conflict check",
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref("NewDeal")}}},
        "responses": {
            "201": json_response("The registered deal", schema_ref("Deal")),
            "422": json_response("Invalid fields", schema_ref("ValidationError")),
            **error_responses(400, 401, 403, 415),
        },
    },
}
PATHS["/deals/{deal_id}"] = {
    "get": {
        "operationId": "getDeal",
        "summary": "One deal",
        "parameters": [{"name": "deal_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": json_response("The deal", schema_ref("Deal")), **error_responses(401, 404)},
    },
}
