"""The public application form, the vendor's vetting forms (owner, note, decline) and
recruitment settings, and a step of an onboarding checklist."""
import re

from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError,
)

from portal.core.forms import Form, MultiCheckboxField, choices, enum_choices
from portal.core.geography import COUNTRIES
from portal.core.models import PartnerType, Region
from portal.onboarding.checklist import StepInput
from portal.onboarding.models import ExpectedBusiness, StepKind
from portal.onboarding.services import ApplicationInput, website_domain

CHOOSE = SelectChoice("", "— Choose —")
MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


def plain_text(form, field):
    """The applicant writes text, not HTML: a tag is refused (it would be shown escaped anyway)."""
    if field.data and MARKUP.search(field.data):
        raise ValidationError("Plain text only: remove the <…> markup.")


def a_website(form, field):
    if field.data and website_domain(field.data) is None:
        raise ValidationError("Enter your company's website, e.g. example.com or https://www.example.com.")


class ApplyForm(Form):
    company = StringField("Company", validators=[DataRequired("Enter your company's name."), Length(max=200),
                                                 plain_text], render_kw={"autocomplete": "organization"})
    website = StringField("Website", validators=[DataRequired("Enter your company's website."), Length(max=253),
                                                 a_website],
                          render_kw={"autocomplete": "url", "inputmode": "url", "placeholder": "example.com"})
    country = SelectField("Country", choices=choices([("", "— Choose —"), *COUNTRIES]),
                          validators=[DataRequired("Choose the country your company is based in.")])
    partner_type = SelectField("Partner type", choices=[CHOOSE, *enum_choices(PartnerType)],
                               validators=[DataRequired("Choose how you would partner with us.")])
    contact_name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=200),
                                                        plain_text], render_kw={"autocomplete": "name"})
    email = EmailField("Work email", validators=[DataRequired("Enter your work email address."), Length(max=254),
                                                 Email("Enter an email address such as maya@example.com.")],
                       description="We send a link to confirm it; free email addresses are not accepted.",
                       render_kw={"autocomplete": "email"})
    phone = StringField("Phone", validators=[DataRequired("Enter a phone number."), Length(max=40), Regexp(
        r"^\+?[0-9 ()./-]{6,}$", message="Digits, spaces and + ( ) - only, e.g. +44 20 7946 0000.")],
        render_kw={"type": "tel", "autocomplete": "tel"})
    expected_business = SelectField("Expected business in your first year",
                                    choices=[CHOOSE, *enum_choices(ExpectedBusiness)],
                                    validators=[DataRequired("Choose what you expect to sell.")])
    product_ids = MultiCheckboxField("Products of interest", coerce=int)
    motivation = TextAreaField("Why partner with us?", validators=[
        DataRequired("Tell us in a few lines what you would bring."), Length(max=4000), plain_text],
        description="Your customers, your team, what you sell today. Up to 4,000 characters.")
    # A honeypot: hidden from people (and from assistive technology); bots fill every field.
    fax = StringField("Fax", validators=[Length(max=200)])

    def is_bot(self) -> bool:
        return bool(self.fax.data)

    def to_input(self) -> ApplicationInput:
        return ApplicationInput(
            self.company.data, self.website.data, self.country.data, PartnerType(self.partner_type.data),
            self.contact_name.data, self.email.data, self.phone.data, ExpectedBusiness(self.expected_business.data),
            list(self.product_ids.data or []), self.motivation.data)


class OwnerForm(Form):
    owner_id = SelectField("Owner", coerce=lambda v: int(v) if v else None,
                           validators=[DataRequired("Choose an owner.")])

    def to_input(self) -> int:
        return self.owner_id.data


class NoteForm(Form):
    body = TextAreaField("Note", validators=[DataRequired("Write the note."), Length(max=4000)])

    def to_input(self) -> str:
        return self.body.data


class DeclineForm(Form):
    reason = TextAreaField("Reason, sent to the applicant", validators=[
        DataRequired("Give a reason; the applicant receives it."), Length(max=2000)])

    def to_input(self) -> str:
        return self.reason.data


class RecruitmentForm(Form):
    regions = MultiCheckboxField("Regions the program covers", choices=enum_choices(Region))
    partner_types = MultiCheckboxField("Partner types it accepts", choices=enum_choices(PartnerType))

    def to_input(self) -> tuple[list[str], list[str]]:
        return list(self.regions.data), list(self.partner_types.data)


class StepForm(Form):
    partner_type = SelectField("Checklist", choices=[SelectChoice("", "Every partner type"),
                                                     *enum_choices(PartnerType)], default="")
    kind = SelectField("Step", choices=enum_choices(StepKind), default=StepKind.agreement.value)
    target = IntegerField("How many", default=1, validators=[InputRequired("Give a number."), NumberRange(
        1, 1000, "From 1 to 1,000.")], description="People on the team, or people certified.")
    path_id = SelectField("Learning path", coerce=lambda v: int(v) if v else None, validators=[Optional()],
                          description="For certified people.")
    title = StringField("Title", validators=[Length(max=200), plain_text],
                        description="What the partner reads; needed for a step the channel team confirms.")

    def set_path_choices(self, paths) -> None:
        self.path_id.choices = [SelectChoice("", "—"), *(SelectChoice(p.id, p.certification_name)
                                                         for p in paths if p.certifies)]

    def to_input(self) -> tuple[PartnerType | None, StepInput]:
        return (PartnerType(self.partner_type.data) if self.partner_type.data else None,
                StepInput(StepKind(self.kind.data), self.target.data, self.path_id.data, self.title.data or ""))
