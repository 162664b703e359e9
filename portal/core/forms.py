"""The forms convention and the pieces shared across domains: the base classes (text is
stripped by a filter; each form turns itself into its input object with to_input()),
checkbox lists, choices from enums, and the one audience editor."""
import wtforms
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.access import AudienceSpec, from_mask, partners_visible_to
from portal.core.models import Audience, Organization, PartnerType, Persona, Region, User
from portal.core.tiers import all_tiers, tiers_in_mask
from portal.extensions import db


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class SourceField(wtforms.TextAreaField):
    """HTML or CSS a vendor writes: kept byte for byte, so an unchanged design stays unchanged."""


class StripMeta:
    """Every text field (text areas and emails too) gets strip_filter; passwords and source
    code (SourceField) are taken exactly as typed."""

    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        as_typed = issubclass(field_class, (PasswordField, SourceField))
        if issubclass(field_class, StringField) and not as_typed:
            options = {**options, "filters": [strip_filter, *unbound_field.kwargs.get("filters", ())]}
        return super().bind_field(form, unbound_field, options)


class Form(FlaskForm):
    """The base of every form the portal posts (CSRF-protected)."""

    Meta = StripMeta

    def to_input(self):
        """The submitted values as the plain object the service takes."""
        raise NotImplementedError


class SubForm(wtforms.Form):
    """A form nested in another with FormField (no CSRF token of its own)."""

    Meta = StripMeta

    def to_input(self):
        raise NotImplementedError


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls) -> list[SelectChoice]:
    return choices((member.value, member.label) for member in enum_cls)


def tier_choices() -> list[SelectChoice]:
    return enum_choices(all_tiers())


class AudienceForm(SubForm):
    """Edits an Audience; nested in a content form with FormField. Empty means everyone.
    The tier and partner choices are read when the form is made (they are rows). The floor
    is `tier_floor`, not Audience's own name: a form made from a row must not take the
    relationship for its value."""

    tier_floor = SelectField("Tier floor", default="", description="It and every tier above it, including tiers added later.")
    tiers = MultiCheckboxField("Or only these tiers")
    partner_types = MultiCheckboxField("Partner types", choices=enum_choices(PartnerType))
    regions = MultiCheckboxField("Regions", choices=enum_choices(Region))
    personas = MultiCheckboxField("Personas", choices=enum_choices(Persona))
    orgs = SelectMultipleField(
        "Only these partners", coerce=int,
        description="Hold Ctrl (Cmd on a Mac) to pick several. Pick none to leave partners open.",
    )

    ENUMS = {"partner_types": PartnerType, "regions": Region, "personas": Persona}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers.choices = tier_choices()
        self.tier_floor.choices = [SelectChoice("", "No floor"),
                                 *choices((tier.key, f"{tier.label} and above") for tier in all_tiers())]

    def set_org_choices(self, user: User) -> None:
        """Offer the partner orgs the user may name (rows, not objects: there may be hundreds)."""
        partners = db.session.execute(partners_visible_to(user).with_only_columns(Organization.id, Organization.name)
                                      .order_by(Organization.name)).all()
        self.orgs.choices = choices(partners)

    def validate_tiers(self, field) -> None:
        if field.data and self.tier_floor.data:
            raise wtforms.ValidationError("Pick a tier floor or some tiers, not both.")

    def fill_from(self, audience: Audience) -> None:
        for name, enum_cls in self.ENUMS.items():
            getattr(self, name).data = [m.value for m in from_mask(enum_cls, getattr(audience, name))]
        self.tiers.data = [tier.key for tier in tiers_in_mask(audience.tiers)]
        self.tier_floor.data = audience.min_tier.key if audience.min_tier else ""
        self.orgs.data = [org.id for org in audience.orgs]

    def to_input(self) -> AudienceSpec:
        values = {
            name: frozenset(enum_cls(v) for v in getattr(self, name).data or [])
            for name, enum_cls in self.ENUMS.items()
        }
        return AudienceSpec(tiers=frozenset(self.tiers.data or []), min_tier=self.tier_floor.data or None,
                            org_ids=frozenset(self.orgs.data or []), **values)
