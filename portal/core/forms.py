"""Form pieces shared across domains: checkbox lists, choices from enums, and the one audience editor."""
from wtforms import Form, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.access import AudienceSpec, from_mask
from portal.core.models import Audience, Organization, PartnerType, Persona, Region, Tier


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
