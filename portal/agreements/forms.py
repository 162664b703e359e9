"""The agreements' forms: a draft (the vendor), publishing with its grace period, and the
partner admin's acceptance."""
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.agreements.services import DEFAULT_GRACE_DAYS, MAX_GRACE_DAYS, AcceptInput, DraftInput
from portal.core.forms import Form, enum_choices
from portal.core.models import PartnerType

MAX_BODY = 100_000


class DraftForm(Form):
    partner_type = SelectField("Partner type", default="", choices=[SelectChoice("", "Every partner type"),
                                                                  *enum_choices(PartnerType)],
                               description="A type's own agreement replaces the one for every type for its partners.")
    title = StringField("Title", validators=[DataRequired("Give the agreement a title."), Length(max=200)])
    body = TextAreaField("Text (Markdown)", validators=[DataRequired("Write the agreement's text."),
                                                        Length(max=MAX_BODY, message="At most 100,000 characters.")],
                         render_kw={"rows": 18},
                         description="Headings (#), lists, bold and links; raw HTML is shown as text.")

    def to_input(self) -> DraftInput:
        return DraftInput(PartnerType(self.partner_type.data) if self.partner_type.data else None,
                          self.title.data, self.body.data)


class EditDraftForm(Form):
    title = DraftForm.title
    body = DraftForm.body

    def to_input(self) -> tuple[str, str]:
        return self.title.data, self.body.data


class PublishForm(Form):
    grace_days = IntegerField("Grace period (days)", default=DEFAULT_GRACE_DAYS, validators=[
        InputRequired("Give a number of days."), NumberRange(0, MAX_GRACE_DAYS, f"From 0 to {MAX_GRACE_DAYS}.")],
        description="Orgs that accepted an earlier version keep deal registration and co-branding this long.")

    def to_input(self) -> int:
        return self.grace_days.data


class AcceptForm(Form):
    agreement_id = HiddenField()
    full_name = StringField("Your full name", validators=[
        DataRequired("Type your full name to sign."), Length(max=200, message="At most 200 characters.")],
        render_kw={"autocomplete": "name"})
    agree = BooleanField("I have read and accept this agreement on behalf of my organisation",
                         validators=[DataRequired("Tick the box to accept the agreement.")])

    def to_input(self) -> AcceptInput:
        try:
            agreement_id = int(self.agreement_id.data or 0)
        except ValueError:
            agreement_id = 0
        return AcceptInput(agreement_id, self.full_name.data)
