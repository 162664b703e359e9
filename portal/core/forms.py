"""Forms shared across domains: login, passwords and API tokens, and the one audience editor."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.access import AudienceSpec, from_mask
from portal.core.auth import MIN_PASSWORD_LENGTH
from portal.core.models import Audience, Organization, PartnerType, Persona, Region, Tier


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])


class ApiTokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)],
                       description="What will use it, e.g. “CRM sync”. Only you see it.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls) -> list[SelectChoice]:
    return choices((member.value, member.label) for member in enum_cls)


class AudienceForm(Form):
    """Edits an Audience; nested in a content form with FormField. Empty means everyone."""

    tiers = MultiCheckboxField("Tiers", choices=enum_choices(Tier))
    partner_types = MultiCheckboxField("Partner types", choices=enum_choices(PartnerType))
    regions = MultiCheckboxField("Regions", choices=enum_choices(Region))
    personas = MultiCheckboxField("Personas", choices=enum_choices(Persona))
    orgs = SelectMultipleField(
        "Only these partners", coerce=int,
        description="Hold Ctrl (Cmd on a Mac) to pick several. Pick none to leave partners open.",
    )

    ENUMS = {"tiers": Tier, "partner_types": PartnerType, "regions": Region, "personas": Persona}

    def set_org_choices(self, partners: list[Organization]) -> None:
        self.orgs.choices = choices((org.id, org.name) for org in partners)

    def fill_from(self, audience: Audience) -> None:
        for name, enum_cls in self.ENUMS.items():
            getattr(self, name).data = [m.value for m in from_mask(enum_cls, getattr(audience, name))]
        self.orgs.data = [org.id for org in audience.orgs]

    def spec(self) -> AudienceSpec:
        values = {
            name: frozenset(enum_cls(v) for v in getattr(self, name).data or [])
            for name, enum_cls in self.ENUMS.items()
        }
        return AudienceSpec(org_ids=frozenset(self.orgs.data or []), **values)
