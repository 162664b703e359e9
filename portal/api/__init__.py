"""The JSON API under /api/v1, for scripts and integrations.

Only a personal API token in `Authorization: Bearer …` authenticates it: the session
cookie never does, so the blueprint is CSRF-exempt (there is no ambient credential to
forge a request with). Errors are JSON; the OpenAPI document describes every endpoint.

Endpoint modules add views to `api_bp`, call services with `api_user()`, read bodies with
`json_body()` and document themselves in `portal.api.openapi`. The query string is held to
that document (`portal.api.contract`): a parameter it does not describe is a 400.
"""
from flask import Blueprint

from portal.api.auth import api_user, authenticate
from portal.api.contract import check_query
from portal.api.http import json_body
from portal.api.openapi import API_PREFIX
from portal.extensions import csrf

api_bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
api_bp.before_request(authenticate)
api_bp.before_request(check_query)
csrf.exempt(api_bp)

__all__ = ["api_bp", "api_user", "json_body"]

from portal.api import deals, products, routes  # noqa: E402,F401  (their views register on api_bp)
