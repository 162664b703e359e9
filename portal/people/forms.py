from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.core.models import Persona, Role
from portal.core.forms import choices, enum_choices


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    persona = SelectField("Room", choices=enum_choices(Persona), description="The room they land in.")
    role = SelectField("Role")

    def set_roles(self, roles: list[Role]) -> None:
        self.role.choices = choices((r.value, r.label) for r in roles)


class PersonaForm(FlaskForm):
    persona = SelectField("Persona", choices=enum_choices(Persona))
