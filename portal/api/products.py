"""The vendor's products over the API: the ids a deal registration names."""
from flask import jsonify

from portal.api import api_bp
from portal.api.openapi import PATHS, SCHEMAS, json_response, schema_ref
from portal.assets.services import products


@api_bp.get("/products")
def list_products():
    return jsonify({"products": [{"id": p.id, "name": p.name} for p in products()]})


SCHEMAS["Product"] = {"type": "object", "required": ["id", "name"], "additionalProperties": False,
                      "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
PATHS["/products"] = {
    "get": {
        "operationId": "listProducts",
        "summary": "The vendor's products, by name: the product_ids a deal registration may name",
        "responses": {"200": json_response("Every product", {
            "type": "object", "required": ["products"], "additionalProperties": False,
            "properties": {"products": {"type": "array", "items": schema_ref("Product")}}})},
    },
}
