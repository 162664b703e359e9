from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.core.forms import enum_choices
from portal.core.models import OrgStatus, PartnerType, Region, Tier


class PartnerForm(FlaskForm):
    name = StringField("Partner name", validators=[DataRequired(), Length(max=200)])
    tier = SelectField("Tier", choices=enum_choices(Tier))
    partner_type = SelectField("Type", choices=enum_choices(PartnerType))
    region = SelectField("Region", choices=enum_choices(Region))
    parent_id = SelectField("Sells through distributor", coerce=lambda v: int(v) if v else None,
                            validators=[Optional()])
    admin_name = StringField("Admin's name", validators=[DataRequired(), Length(max=200)])
    admin_email = EmailField("Admin's email", validators=[DataRequired(), Email(), Length(max=254)],
                             description="We email them an invitation to set their password.")


class TierForm(FlaskForm):
    tier = SelectField("New tier", choices=enum_choices(Tier))


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=enum_choices(OrgStatus))
