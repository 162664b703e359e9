"""Requests are held to the OpenAPI document: what it does not describe is refused.

The query string is checked against the operation's documented parameters (before_request
on api_bp, so every operation is covered), and a JSON body's field names and types against
its schema before a form sees it. Only the JSON Schema keywords the document uses for these
are understood: the rules themselves (lengths, ranges, choices) stay in the forms, which
answer 422 per field.
"""
import re

from flask import abort, request

from portal.api import openapi

INTEGER = re.compile(r"-?[0-9]+")
JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def check_query() -> None:
    """400 for a query parameter the operation does not document, one given twice, or a
    value its schema refuses (wrong type, not one of the choices, out of range, too long)."""
    operation = openapi.operation_for(request.url_rule.rule, request.method) if request.url_rule else None
    if operation is None:
        return  # OPTIONS, or a method the route refuses with 405
    documented = {p["name"]: p["schema"] for p in operation.get("parameters", ()) if p["in"] == "query"}
    for name, values in request.args.lists():
        if name not in documented:
            takes = ", ".join(documented) or "none"
            abort(400, f"Unknown query parameter '{name}' (this operation takes: {takes}).")
        if len(values) > 1:
            abort(400, f"Give the query parameter '{name}' once.")
        problem = query_value_problem(values[0], documented[name])
        if problem:
            abort(400, f"Query parameter '{name}': {problem}")


def query_value_problem(raw: str, schema: dict) -> str | None:
    if schema["type"] == "integer":
        if not INTEGER.fullmatch(raw):
            return "must be a whole number."
        value = int(raw)
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}."
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}."
        return None
    if "enum" in schema and raw not in schema["enum"]:
        return f"must be one of {', '.join(schema['enum'])}."
    if "maxLength" in schema and len(raw) > schema["maxLength"]:
        return f"may be at most {schema['maxLength']} characters."
    return None


def body_type_errors(body: dict, schema: dict) -> dict[str, list[str]]:
    """Per field: a name the schema does not know, or a value of the wrong JSON type."""
    errors = {}
    for name, value in body.items():
        field = schema["properties"].get(name)
        if field is None:
            errors[name] = ["Unknown field."]
        elif not _has_type(value, field):
            errors[name] = [_type_message(field)]
    return errors


def _has_type(value, field: dict) -> bool:
    if field["type"] == "array":
        return isinstance(value, list) and all(_has_type(item, field["items"]) for item in value)
    if field["type"] == "integer":  # JSON Schema counts 3.0 as an integer, and true as none
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    return isinstance(value, JSON_TYPES[field["type"]])


def _type_message(field: dict) -> str:
    if field["type"] == "array":
        return f"Must be a list of {field['items']['type']}s."
    return f"Must be a{'n' if field['type'][0] in 'aeiou' else ''} {field['type']}."
