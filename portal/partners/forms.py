"""The vendor's partner forms: a new partner org and its status."""
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.core.forms import Form, enum_choices, tier_choices
from portal.core.models import OrgStatus, PartnerType, Region
from portal.core.tiers import tier_by_key
from portal.partners.services import NewPartner


class PartnerForm(Form):
    name = StringField("Partner name", validators=[DataRequired(), Length(max=200)])
    tier = SelectField("Tier")  # one of the choices, or "Not a valid choice"
    partner_type = SelectField("Type", choices=enum_choices(PartnerType))
    region = SelectField("Region", choices=enum_choices(Region))
    parent_id = SelectField("Sells through distributor", coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    admin_name = StringField("Admin's name", validators=[DataRequired(), Length(max=200)])
    admin_email = EmailField("Admin's email", validators=[DataRequired(), Email(), Length(max=254)],
                             description="We email them an invitation to set their password.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = tier_choices()

    def to_input(self) -> NewPartner:
        return NewPartner(
            name=self.name.data, tier=tier_by_key(self.tier.data), partner_type=PartnerType(self.partner_type.data),
            region=Region(self.region.data), parent_id=self.parent_id.data, admin_name=self.admin_name.data,
            admin_email=self.admin_email.data,
        )


class StatusForm(Form):
    status = SelectField("New status", choices=enum_choices(OrgStatus))

    def to_input(self) -> OrgStatus:
        return OrgStatus(self.status.data)
