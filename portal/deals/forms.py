"""The deal registration form (the one validation path for the page, its inline checks and
the API), the workflow's decisions and the vendor's house accounts."""
from dataclasses import dataclass
from datetime import date, timedelta

from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core import clock
from portal.core.geography import COUNTRIES
from portal.core.forms import Form, MultiCheckboxField, choices, enum_choices
from portal.deals import matching
from portal.deals.models import DealStage
from portal.deals.services import DealInput
from portal.web.params import ids_in

CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN", "INR", "SGD", "BRL")
MAX_AMOUNT = 1_000_000_000_000
LONGEST_SALES_CYCLE = timedelta(days=3 * 365)


class DealForm(Form):
    customer_company = StringField("Customer company", validators=[DataRequired(), Length(max=200)],
                                   render_kw={"autocomplete": "organization"})
    customer_website = StringField("Website or email domain", validators=[Optional(), Length(max=253)],
                                   description="e.g. acme.com: the strongest sign of who the customer is.")
    contact_name = StringField("Contact name", validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField("Contact email", validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=40)],
                                render_kw={"type": "tel", "autocomplete": "off"})
    country = SelectField("Country", choices=choices([("", "— Choose —"), *COUNTRIES]),
                          validators=[DataRequired("Choose the customer's country.")])
    product_ids = MultiCheckboxField("Products", coerce=int,
                                     validators=[DataRequired("Choose at least one product.")])
    amount = IntegerField("Estimated value", validators=[InputRequired("Enter the estimated value."),
                                                         NumberRange(1, MAX_AMOUNT, f"Enter a value from 1 to {MAX_AMOUNT:,}.")])
    currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES), default="USD")
    close_date = DateField("Expected close date", validators=[DataRequired("Enter the expected close date.")])
    stage = SelectField("Stage", choices=enum_choices(DealStage), default=DealStage.qualified.value)
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)],
                          description="What the customer needs and where the deal stands. Only you, your "
                                      "admin and the vendor's channel team read this.")
    name_distributor = BooleanField("Let our distributor follow this deal")
    distributor = None  # the org name_distributor names (offer_distributor); None: the box is not shown

    def set_product_choices(self, products) -> None:
        self.product_ids.choices = choices((p.id, p.name) for p in products)

    def offer_distributor(self, distributor) -> None:
        """Show the box that names the rep's distributor (an Organization), if there is one."""
        self.distributor = distributor
        if distributor is not None:
            self.name_distributor.label.text = f"Let {distributor.name} follow this deal"
            self.name_distributor.description = (f"{distributor.name}, your distributor, then sees the deal and "
                                                 "is told of the channel team's decisions.")

    def validate_customer_website(self, field):
        if field.data and matching.normalize_domain(field.data) is None:
            raise ValidationError("Enter the customer's own domain, e.g. acme.com (not a free-mail domain).")

    def validate_contact_phone(self, field):
        if field.data and matching.normalize_phone(field.data) is None:
            raise ValidationError("Enter a phone number with at least 7 digits.")

    def validate_close_date(self, field):
        today = clock.now().date()
        if field.data and field.data < today:
            raise ValidationError("The expected close date has passed; pick a future date.")
        if field.data and field.data > today + LONGEST_SALES_CYCLE:
            raise ValidationError("That is more than three years away.")

    def to_input(self) -> DealInput:
        return self.deal_input(name_distributor=self.name_distributor.data)

    def deal_input(self, name_distributor: bool) -> DealInput:
        return DealInput(
            customer_company=self.customer_company.data,
            customer_website=self.customer_website.data or None,
            contact_name=self.contact_name.data,
            contact_email=self.contact_email.data or None,
            contact_phone=self.contact_phone.data or None,
            country=self.country.data,
            product_ids=list(self.product_ids.data),
            amount=self.amount.data,
            currency=self.currency.data,
            close_date=self.close_date.data,
            stage=DealStage(self.stage.data),
            notes=self.notes.data or "",
            name_distributor=name_distributor,
        )


class RejectForm(Form):
    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason; the rep will see it."),
                                                 Length(max=1000)])

    def to_input(self) -> str:
        return self.reason.data


class ExtensionRequestForm(Form):
    reason = TextAreaField("Why does the deal need more time?",
                           validators=[DataRequired("Say why the deal needs more time."), Length(max=1000)])

    def to_input(self) -> str:
        return self.reason.data


@dataclass(frozen=True)
class ExtensionDecision:
    approved: bool
    new_until: date | None


class ExtensionDecisionForm(Form):
    new_until = DateField("New protection date", validators=[Optional()])
    decision = StringField()  # the button pressed: "approve" or "decline"

    def to_input(self) -> ExtensionDecision:
        return ExtensionDecision(self.decision.data == "approve", self.new_until.data)


class OutcomeForm(Form):
    outcome = StringField()  # the button pressed: "won" or "lost"

    def to_input(self) -> bool:
        return self.outcome.data == "won"


@dataclass(frozen=True)
class BulkDecision:
    deal_ids: list[int]
    approved: bool
    reason: str


class BulkDecisionForm(Form):
    """The review queue's decision on the selected deals."""

    deal_id = SelectMultipleField(coerce=str, validate_choice=False)  # ticked boxes; ids_in keeps the real ids
    decision = StringField()  # the button pressed: "approve" or "reject"
    reason = StringField(validators=[Length(max=1000)])

    def validate_deal_id(self, field):
        if not ids_in(field.data or []):
            raise ValidationError("Select at least one deal.")

    def validate_reason(self, field):
        if self.decision.data != "approve" and not field.data:
            raise ValidationError("Give a reason for rejecting; the reps will see it.")

    def to_input(self) -> BulkDecision:
        return BulkDecision(ids_in(self.deal_id.data), self.decision.data == "approve", self.reason.data or "")


@dataclass(frozen=True)
class HouseAccountInput:
    company: str
    website: str | None


class HouseAccountForm(Form):
    company = StringField("Company", validators=[DataRequired("Enter the customer's company name."), Length(max=200)])
    website = StringField("Website or email domain", validators=[Optional(), Length(max=253)])

    def validate_website(self, field):
        if matching.normalize_domain(field.data) is None:
            raise ValidationError("Enter the customer's own domain, e.g. acme.com (not a free-mail domain).")

    def to_input(self) -> HouseAccountInput:
        return HouseAccountInput(self.company.data, self.website.data or None)
