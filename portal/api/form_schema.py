"""A JSON Schema for a request body, read off the FlaskForm that validates it.

The API validates bodies with the pages' forms, so the document's constraints come from the
same validators (required, lengths, ranges, choices, defaults) and cannot drift from them.
What JSON Schema cannot say (a `validate_<field>` method, choices known only at run time)
must be given as a rule in words: form_schema refuses a form with such a field and no rule.
"""
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

# The portal refuses NUL and bidi controls in any text (portal.web.security.REFUSED_CHARACTERS; a test
# holds the two equal). Written as ranges: schemathesis mis-reads a long class beside maxLength.
_REFUSED = "\\u0000\\u202a-\\u202e\\u2066-\\u2069"
TYPABLE_TEXT = f"^[^{_REFUSED}]*$"
NOT_BLANK = f"^[^{_REFUSED}]*[^{_REFUSED}\\s][^{_REFUSED}]*$"


def form_schema(form_cls, rules: dict[str, str], extra: dict[str, dict] | None = None) -> dict:
    """The object schema of `form_cls`'s fields (in form order), plus `extra` properties the
    view reads itself; `rules` describes, per field, what the form checks beyond the schema."""
    properties, required = {}, []
    for name, field in _fields(form_cls):
        needs_rule = hasattr(form_cls, f"validate_{name}") or _runtime_choices(field)
        if needs_rule and name not in rules:
            raise ValueError(f"{form_cls.__name__}.{name} is checked beyond its schema: describe the rule")
        properties[name] = _field_schema(field, rules.get(name))
        if _is_required(field):
            required.append(name)
    return {"type": "object", "required": required, "properties": {**properties, **(extra or {})},
            "additionalProperties": False}


def _fields(form_cls) -> list[tuple[str, UnboundField]]:
    fields = [(name, value) for name in dir(form_cls) if isinstance(value := getattr(form_cls, name), UnboundField)]
    return sorted(fields, key=lambda pair: pair[1].creation_counter)


def _validators(field: UnboundField) -> list:
    return list(field.kwargs.get("validators", ()))


def _is_required(field: UnboundField) -> bool:
    return any(isinstance(v, (DataRequired, InputRequired)) for v in _validators(field))


def _runtime_choices(field: UnboundField) -> bool:
    return issubclass(field.field_class, SelectField) and "choices" not in field.kwargs


def _field_schema(field: UnboundField, rule: str | None) -> dict:
    schema = {**_type_schema(field), "description": _description(field, rule)}
    for validator in _validators(field):
        schema.update(_validator_keywords(validator, schema))
    if field.kwargs.get("default") is not None:
        schema["default"] = field.kwargs["default"]
    return schema


def _type_schema(field: UnboundField) -> dict:
    cls = field.field_class
    if issubclass(cls, SelectMultipleField):
        return {"type": "array", "items": {"type": "integer" if field.kwargs.get("coerce") is int else "string"},
}
    if issubclass(cls, SelectField):
        return {"type": "string", **_enum(field)}
    if issubclass(cls, IntegerField):
        return {"type": "integer"}
    if issubclass(cls, BooleanField):
        return {"type": "boolean"}
    if issubclass(cls, DateField):
        return {"type": "string", "format": "date"}
    if issubclass(cls, StringField):
        return {"type": "string", "pattern": TYPABLE_TEXT}
    raise TypeError(f"No JSON Schema for {cls.__name__}")


def _enum(field: UnboundField) -> dict:
    values = [choice.value for choice in field.kwargs.get("choices", ()) if choice.value != ""]
    return {"enum": values} if values else {}


def _validator_keywords(validator, schema: dict) -> dict:
    if isinstance(validator, DataRequired):
        if schema["type"] == "array":
            return {"minItems": 1}
        return {"minLength": 1, "pattern": NOT_BLANK} if "pattern" in schema else {}  # free text only
    if isinstance(validator, Length):
        return {key: value for key, value in (("minLength", validator.min), ("maxLength", validator.max)) if value >= 0}
    if isinstance(validator, NumberRange):
        return {key: value for key, value in (("minimum", validator.min), ("maximum", validator.max))
                if value is not None}
    if isinstance(validator, Email):
        return {"format": "email"}
    return {}


def _description(field: UnboundField, rule: str | None) -> str:
    label = field.args[0] if field.args else field.kwargs.get("label", "")
    return " ".join(part for part in (f"{label}.", field.kwargs.get("description"), rule) if part)
