"""The deal registration form: the one validation path for the page, its inline checks and the API."""
from datetime import timedelta

import pycountry
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core import clock
from portal.core.forms import MultiCheckboxField, choices, enum_choices
from portal.deals import matching
from portal.deals.models import DealStage
from portal.deals.services import DealInput

CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN", "INR", "SGD", "BRL")
COUNTRIES = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])
MAX_AMOUNT = 1_000_000_000_000
LONGEST_SALES_CYCLE = timedelta(days=3 * 365)


class DealForm(FlaskForm):
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

    def set_product_choices(self, products) -> None:
        self.product_ids.choices = choices((p.id, p.name) for p in products)

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
        return DealInput(
            customer_company=self.customer_company.data.strip(),
            customer_website=(self.customer_website.data or "").strip() or None,
            contact_name=self.contact_name.data.strip(),
            contact_email=(self.contact_email.data or "").strip() or None,
            contact_phone=(self.contact_phone.data or "").strip() or None,
            country=self.country.data,
            product_ids=list(self.product_ids.data),
            amount=self.amount.data,
            currency=self.currency.data,
            close_date=self.close_date.data,
            stage=DealStage(self.stage.data),
            notes=(self.notes.data or "").strip(),
        )


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason; the rep will see it."),
                                                 Length(max=1000)])


class ExtensionRequestForm(FlaskForm):
    reason = TextAreaField("Why does the deal need more time?",
                           validators=[DataRequired("Say why the deal needs more time."), Length(max=1000)])


class ExtensionDecisionForm(FlaskForm):
    new_until = DateField("New protection date", validators=[Optional()])
