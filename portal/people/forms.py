"""The team page's forms: a new person, and a person's room."""
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.core.forms import Form, choices, enum_choices
from portal.core.models import Persona, Role
from portal.people.services import NewPerson


class PersonForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    persona = SelectField("Room", choices=enum_choices(Persona), description="The room they land in.")
    role = SelectField("Role")

    def set_roles(self, roles: list[Role]) -> None:
        self.role.choices = choices((r.value, r.label) for r in roles)

    def to_input(self) -> NewPerson:
        return NewPerson(self.name.data, self.email.data, Persona(self.persona.data), Role(self.role.data))


class PersonaForm(Form):
    persona = SelectField("Persona", choices=enum_choices(Persona))

    def to_input(self) -> Persona:
        return Persona(self.persona.data)
