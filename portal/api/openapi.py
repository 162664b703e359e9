"""The API's OpenAPI 3.1 document, built from plain dicts.

An endpoint module documents itself when it is imported: it adds its operations to
PATHS (keyed by the path under /api/v1, e.g. "/deals/{deal_id}") and its schemas to
SCHEMAS, and refers to them with schema_ref() and error_responses():

    SCHEMAS["Deal"] = {"type": "object", ...}
    PATHS["/deals"] = {"get": {"summary": "…", "responses": {
        "200": json_response("Your deals", {"type": "array", "items": schema_ref("Deal")}),
        **error_responses(401)}}}

Every operation also answers 400 (see portal.api.contract: the query string is checked
against the operation's documented parameters) and, unless it is public, 401: document()
adds both, so a new operation cannot forget them.

tests/api checks that every API route is documented and every documented path routed, and
runs schemathesis over the whole document (a new operation is covered automatically).
"""
import re

from portal.core.models import Persona, Role

VERSION = "1.0.0"
API_PREFIX = "/api/v1"

ERRORS = {
    400: "The request is malformed: an unknown, repeated or invalid query parameter, text holding a NUL "
         "character, or a body that is not a JSON object.",
    401: "No API token, or one that is not valid.",
    403: "Your role does not allow this.",
    404: "Not found, or not shared with you.",
    405: "The path does not accept this method.",
    415: "The body must be sent as application/json.",
    422: "The input is well-formed but invalid; the message says which field and why.",
}


def schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(*codes: int) -> dict:
    """Responses entries for these error statuses, all with the shared Error body."""
    return {str(code): json_response(ERRORS[code], schema_ref("Error")) for code in codes}


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer", "description": "The HTTP status code."},
                    "message": {"type": "string", "description": "What went wrong, for a person to read."},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        "description": "Only on a 422: each invalid body field and its messages.",
                    },
                },
                "additionalProperties": False,
            }
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "name", "email", "role", "persona", "org"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "role": {"type": "string", "enum": [r.value for r in Role]},
            "persona": {"type": "string", "enum": [p.value for p in Persona]},
            "org": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
        },
    },
}

PUBLIC: list = []  # an operation's "security" when it needs no token

PATHS: dict[str, dict] = {
    "/me": {
        "get": {
            "operationId": "getMe",
            "summary": "The user the token belongs to",
            "responses": {"200": json_response("You, and your organisation", schema_ref("Me")), **error_responses(401)},
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": PUBLIC,
            "responses": {"200": {"description": "The OpenAPI 3.1 document", "content": {"application/json": {}}}},
        }
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Partnerhouse API",
            "version": VERSION,
            "description": "Create a personal API token on your profile page and send it as "
            "'Authorization: Bearer <token>'. Requests act as you, with your permissions.",
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerToken": []}],
        "paths": {path: {method: _with_common_errors(operation) for method, operation in operations.items()}
                  for path, operations in PATHS.items()},
        "components": {
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "A personal API token (ph_…)."}
            },
            "schemas": SCHEMAS,
        },
    }


def _with_common_errors(operation: dict) -> dict:
    codes = (400,) if operation.get("security") == PUBLIC else (400, 401)
    return {**operation, "responses": {**error_responses(*codes), **operation["responses"]}}


def openapi_path(rule: str) -> str:
    """The document's path for a URL rule: "/api/v1/deals/<int:deal_id>" -> "/deals/{deal_id}"."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix(API_PREFIX))


def operation_for(rule: str, method: str) -> dict | None:
    """The documented operation a request to this URL rule and method runs (HEAD is GET's)."""
    method = "get" if method == "HEAD" else method.lower()
    return PATHS.get(openapi_path(rule), {}).get(method)
