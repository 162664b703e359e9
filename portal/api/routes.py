"""The API's own endpoints: who am I, and the OpenAPI document."""
from flask import jsonify

from portal.api import api_bp, api_user, openapi
from portal.core.access import public
from portal.core.models import User


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "persona": user.persona.value,
        "org": {"id": user.org.id, "name": user.org.name},
    }


@api_bp.get("/me")
def me():
    return jsonify(user_json(api_user()))


@api_bp.get("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.document())
