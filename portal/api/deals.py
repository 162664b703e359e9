"""Deals over the API: list, read and register, with the same visibility, validation
and conflict rules as the pages (the same scoped query, form and services)."""
from flask import abort, jsonify, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from portal.agreements import services as agreements
from portal.api import api_bp, api_user, json_body
from portal.api.contract import body_type_errors
from portal.api.form_schema import TYPABLE_TEXT, form_schema
from portal.api.http import invalid_fields
from portal.api.openapi import PATHS, SCHEMAS, error_responses, json_response, schema_ref
from portal.assets.services import products
from portal.core import clock
from portal.deals import services
from portal.deals import matching
from portal.deals.forms import LONGEST_SALES_CYCLE, DealForm
from portal.deals.models import Deal, DealStage, DealStatus
from portal.extensions import db
from portal.web.pagination import paginate
from portal.web.params import enum_arg



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
    filters = services.DealFilters(status=enum_arg(DealStatus, "status"), text=request.args.get("q", ""))
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
    standing = agreements.standing_of(user.org)  # the pages' agreement gate, answered in JSON
    if not standing.is_open:
        abort(403, f"Deal registration waits for the partner agreement: {user.org.name}'s admin accepts version "
                   f"{standing.agreement.version} at {url_for('agreements.current', _external=True)}.")
    body = json_body()
    type_errors = body_type_errors(body, NEW_DEAL)
    form = DealForm(formdata=_as_form_data(body, type_errors), meta={"csrf": False})
    form.set_product_choices(products())
    if not form.validate() or type_errors:
        return invalid_fields({**form.errors, **type_errors})
    deal = services.create_deal(user, form.to_input(), body.get("submit", True))
    db.session.commit()
    response = jsonify(deal_json(deal))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_deal", deal_id=deal.id)
    return response


def _as_form_data(body: dict, type_errors: dict) -> MultiDict:
    """The well-typed form fields of the body as the form would post them."""
    pairs = []
    for name, value in body.items():
        if name in type_errors or name == "submit":
            continue
        pairs.extend((name, _form_value(v)) for v in (value if isinstance(value, list) else [value]))
    return MultiDict(pairs)


def _form_value(value) -> str:
    if isinstance(value, bool):
        return "y" if value else ""  # a checkbox as the browser posts it: ticked, or not sent
    return str(int(value)) if isinstance(value, float) else str(value)  # 3.0 is the integer 3


# --- the OpenAPI description -------------------------------------------------------------

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_REF = {"type": "object", "required": ["id", "name"], "additionalProperties": False,
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
_STATUSES = [s.value for s in DealStatus]


def _object(properties: dict, description: str | None = None) -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    return {**schema, "description": description} if description else schema


SCHEMAS["Deal"] = _object({
    "id": {"type": "integer"},
    "status": {"type": "string", "enum": _STATUSES,
               "description": "As of now: an approval past its protection date reads expired."},
    "customer_company": _STRING,
    "customer_website": _NULLABLE_STRING,
    "contact_name": _STRING,
    "contact_email": _NULLABLE_STRING,
    "contact_phone": _NULLABLE_STRING,
    "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
    "products": {"type": "array", "items": _REF},
    "amount": {"type": "integer"},
    "currency": _STRING,
    "close_date": {"type": "string", "format": "date"},
    "stage": {"type": "string", "enum": [s.value for s in DealStage]},
    "notes": _STRING,
    "partner": _REF,
    "owner": _REF,
    "submitted_at": _NULLABLE_TIME,
    "protected_until": _NULLABLE_TIME,
    "rejection_reason": _NULLABLE_STRING,
    "conflict": {
        "type": ["object", "null"],
        "description": "The conflict check at submission. It says what matched, never whose registration.",
        "required": ["level", "reasons"], "additionalProperties": False,
        "properties": {"level": {"type": "string", "enum": ["green", "amber", "red"]},
                       "reasons": {"type": "array", "items": {"type": "string"}}},
    },
    "url": {"type": "string", "format": "uri", "description": "The deal's page in the portal."},
})

_SERVER_CHECKED = "The server checks this (JSON Schema cannot say it); if it fails, the 422 names this field."
NEW_DEAL = form_schema(DealForm, rules={
    "contact_email": f"At a public domain: special-use ones such as .test or .localhost are refused. {_SERVER_CHECKED}",
    "customer_website": "The customer's own domain, or a URL or email address at it; free-mail domains "
                        f"(gmail.com, …) are refused. {_SERVER_CHECKED}",
    "contact_phone": f"At least {matching.PHONE_MIN_DIGITS} digits, not counting an extension such as "
                     f"'x 12'. {_SERVER_CHECKED}",
    "close_date": f"Today or later, and at most {LONGEST_SALES_CYCLE.days} days from today. {_SERVER_CHECKED}",
    "product_ids": f"Ids from GET /api/v1/products. {_SERVER_CHECKED}",
}, extra={"submit": {"type": "boolean", "default": True, "description": "false saves a draft"}})
SCHEMAS["NewDeal"] = NEW_DEAL

_GET_DEAL = "getDeal"
PATHS["/deals"] = {
    "get": {
        "operationId": "listDeals",
        "summary": "The deals you may see: your own (partner user), your org's (partner admin), all (vendor)",
        "parameters": [
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": _STATUSES},
             "description": "Only deals with this status as of now"},
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100, "pattern": TYPABLE_TEXT},
             "description": "Part of the customer's name"},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1},
             "description": "Pages past the last one are empty"},
        ],
        "responses": {
            "200": {**json_response("One page of deals, most recently changed first", _object({
                "deals": {"type": "array", "items": schema_ref("Deal")}, "page": {"type": "integer"},
                "pages": {"type": "integer"}, "total": {"type": "integer"}})),
                "links": {"firstDeal": {"operationId": _GET_DEAL,
                                        "parameters": {"deal_id": "$response.body#/deals/0/id"}}}},
        },
    },
    "post": {
        "operationId": "registerDeal",
        "summary": "Register a deal (submitted for review unless submit is false), with the conflict check",
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema_ref("NewDeal")}}},
        "responses": {
            "201": {**json_response("The registered deal; Location is its URL", schema_ref("Deal")),
                    "links": {"registeredDeal": {"operationId": _GET_DEAL,
                                                 "parameters": {"deal_id": "$response.body#/id"}}}},
            **error_responses(403, 415, 422),
        },
    },
}
PATHS["/deals/{deal_id}"] = {
    "get": {
        "operationId": _GET_DEAL,
        "summary": "One deal",
        "parameters": [{"name": "deal_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "responses": {"200": json_response("The deal", schema_ref("Deal")), **error_responses(404)},
    },
}
