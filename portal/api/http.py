"""The API's HTTP conventions: JSON bodies in, JSON errors out."""
from flask import abort, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

API_PATH = "/api/"


def is_api_request() -> bool:
    """Anything under /api/ answers JSON, also a URL no route matches (no blueprint then)."""
    return request.path.startswith(API_PATH)


def error_response(error: HTTPException):
    """{"error": {"status": 404, "message": "…"}} with the error's own headers (e.g. Allow)."""
    response = jsonify({"error": {"status": error.code, "message": error.description}})
    response.status_code = error.code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Partnerhouse API"'
    return response


def json_body() -> dict:
    """The request's JSON object: 415 unless it is sent as application/json, 400 unless it
    parses (also not when nested too deep to parse), and 400 unless it is an object (not a
    list, string or null)."""
    if not request.is_json:
        abort(415, "Send the body as JSON, with 'Content-Type: application/json'.")
    try:
        body = request.get_json()
    except BadRequest:
        abort(400, "The body is not valid JSON.")
    except RecursionError:
        abort(400, "The body is nested too deeply.")
    if not isinstance(body, dict):
        abort(400, "The body must be a JSON object.")
    return body


def invalid_fields(errors: dict[str, list[str]]):
    """422 with each invalid body field's messages, in the one error shape."""
    response = jsonify({"error": {"status": 422, "message": "Some fields are not valid.", "fields": errors}})
    response.status_code = 422
    return response
