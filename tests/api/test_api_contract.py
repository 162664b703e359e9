"""Requests are held to the OpenAPI document: what it does not describe is refused, and the
document's body constraints are the deal form's own."""
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.api.form_schema import NOT_BLANK, TYPABLE_TEXT, form_schema
from portal.deals.forms import COUNTRIES, CURRENCIES, MAX_AMOUNT, DealForm
from portal.deals.models import DealStatus
from portal.web.security import REFUSED_CHARACTERS
from test_api_deals import bearer, new_deal, product_ids  # noqa: F401  (fixtures)


@pytest.mark.parametrize("query, message", [
    ("status=null&status=null", "Give the query parameter 'status' once."),
    ("status=null", "Query parameter 'status': must be one of"),
    ("page=two", "Query parameter 'page': must be a whole number."),
    ("page=0", "Query parameter 'page': must be at least 1."),
    ("page=%D9%A3", "must be a whole number"),  # an Arabic-Indic digit, which int() would take
    ("q=" + "x" * 101, "Query parameter 'q': may be at most 100 characters."),
    ("sort=name", "Unknown query parameter 'sort' (this operation takes: status, q, page)."),
    ("q=a%00b", "NUL"),
])
def test_bad_query_strings_are_400_with_the_json_error(client, bearer, query, message):
    response = client.get(f"/api/v1/deals?{query}", headers=bearer("sales@gold.demo"))
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400 and message in response.json["error"]["message"]


def test_operations_without_parameters_refuse_any(client, bearer):
    response = client.get("/api/v1/me?verbose=1", headers=bearer("sales@gold.demo"))
    assert response.status_code == 400 and "(this operation takes: none)" in response.json["error"]["message"]
    assert client.get("/api/v1/openapi.json?x=1").status_code == 400


def test_documented_query_parameters_are_accepted(client, bearer):
    for status in DealStatus:
        response = client.get(f"/api/v1/deals?status={status.value}&q=acme&page=2", headers=bearer("sales@gold.demo"))
        assert response.status_code == 200 and response.json["page"] == 2


def test_unknown_and_ill_typed_body_fields_are_422_naming_them(client, bearer, product_ids):
    body = new_deal(["1"], customer_company=123, contact_email={"a": 1}, notes=None, submit="no", custom_field="x")
    response = client.post("/api/v1/deals", json=body, headers=bearer("sales@gold.demo"))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "customer_company": ["Must be a string."], "contact_email": ["Must be a string."],
        "notes": ["Must be a string."], "submit": ["Must be a boolean."],
        "product_ids": ["Must be a list of integers."], "custom_field": ["Unknown field."]}


def test_an_integral_number_is_an_integer_as_json_schema_says(client, bearer, product_ids):
    body = new_deal([float(p) for p in product_ids], amount=42000.0)
    response = client.post("/api/v1/deals", json=body, headers=bearer("sales@gold.demo"))
    assert response.status_code == 201 and response.json["amount"] == 42000
    assert client.post("/api/v1/deals", json=new_deal(product_ids, amount=1.5),
                       headers=bearer("sales@gold.demo")).json["error"]["fields"]["amount"]


def test_the_new_deal_schema_is_the_deal_forms(client):
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["NewDeal"]
    fields = schema["properties"]
    assert set(fields) == {name for name in dir(DealForm) if hasattr(getattr(DealForm, name), "field_class")} | {
        "submit"}
    assert schema["required"] == ["customer_company", "contact_name", "country", "product_ids", "amount", "close_date"]
    assert schema["additionalProperties"] is False
    assert fields["customer_company"].items() >= {"minLength": 1, "maxLength": 200, "pattern": NOT_BLANK}.items()
    assert fields["country"]["enum"] == [code for code, _ in COUNTRIES]
    assert fields["currency"]["enum"] == list(CURRENCIES) and fields["currency"]["default"] == "USD"
    assert (fields["amount"]["minimum"], fields["amount"]["maximum"]) == (1, MAX_AMOUNT)
    assert fields["close_date"]["format"] == "date" and "1095 days from today" in fields["close_date"]["description"]
    assert fields["product_ids"]["minItems"] == 1 and "GET /api/v1/products" in fields["product_ids"]["description"]


def test_every_documented_operation_lists_its_error_codes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/deals"]["post"]["responses"]) == {"201", "400", "401", "403", "415", "422"}
    assert set(paths["/deals/{deal_id}"]["get"]["responses"]) == {"200", "400", "401", "404"}
    assert set(paths["/deals"]["get"]["responses"]) == {"200", "400", "401"}
    assert set(paths["/openapi.json"]["get"]["responses"]) == {"200", "400"}  # public: never a 401


class _Form(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=10)])
    size = IntegerField("Size", validators=[NumberRange(1, 5)])
    colour = SelectField("Colour")  # choices set per request

    def validate_name(self, field):
        pass


def test_form_schema_needs_words_for_rules_the_schema_cannot_say():
    with pytest.raises(ValueError, match="_Form.name is checked beyond its schema"):
        form_schema(_Form, rules={"colour": "One of today's colours."})
    with pytest.raises(ValueError, match="_Form.colour"):
        form_schema(_Form, rules={"name": "Not taken."})
    schema = form_schema(_Form, rules={"name": "Not taken.", "colour": "One of today's colours."})
    assert schema["properties"]["name"]["description"] == "Name. Not taken."
    assert schema["properties"]["size"] == {"type": "integer", "description": "Size.", "minimum": 1, "maximum": 5}
    assert schema["required"] == ["name"]


@pytest.mark.parametrize("url", ["/api/v1/deals/" + "9" * 30, "/api/v1/deals/9223372036854775808"])
def test_an_id_past_any_column_is_404(client, bearer, url):
    response = client.get(url, headers=bearer("sales@gold.demo"))
    assert response.status_code == 404 and response.json["error"]["status"] == 404


@pytest.mark.parametrize("page", ["9223372036854775807", "1" + "0" * 26])
def test_a_huge_page_is_never_a_server_error(client, bearer, page):
    response = client.get(f"/api/v1/deals?page={page}", headers=bearer("sales@gold.demo"))
    assert response.status_code in (200, 400)  # clamped to an empty page, or refused
    if response.status_code == 200:
        assert response.json["deals"] == []


def test_the_documents_text_pattern_refuses_exactly_what_the_portal_refuses():
    pattern = re.compile(TYPABLE_TEXT)  # Python reads \uXXXX in a pattern as ECMA-262 does
    near = {chr(code) for char in REFUSED_CHARACTERS for code in (ord(char) - 1, ord(char), ord(char) + 1) if code >= 0}
    refused_by_document = {char for char in near if not pattern.fullmatch(f"a{char}b")}
    assert refused_by_document == REFUSED_CHARACTERS


def test_the_documented_longest_search_is_accepted(client, bearer):
    response = client.get("/api/v1/deals?q=" + "a" * 100, headers=bearer("sales@gold.demo"))
    assert response.status_code == 200
