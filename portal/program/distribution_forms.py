"""The distributor's form: a deal registration for one of its resellers."""
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from portal.core.forms import choices
from portal.deals.forms import DealForm
from portal.program.distribution import OnBehalf


class OnBehalfForm(DealForm):
    """The deal registration form, plus the reseller it is for (the distributor follows it
    anyway, so there is no box to name it)."""

    reseller_id = SelectField("Reseller", coerce=str, validate_choice=False,
                              validators=[DataRequired("Choose one of your active resellers.")],
                              description="The deal is the reseller's: its admin owns it and follows it up.")
    name_distributor = None

    def set_reseller_choices(self, resellers) -> None:
        self.reseller_id.choices = choices([("", "— Choose —"), *((str(org.id), org.name) for org in resellers)])

    def validate_reseller_id(self, field):
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError("Choose one of your active resellers.")

    def to_input(self) -> OnBehalf:
        return OnBehalf(int(self.reseller_id.data), self.deal_input(name_distributor=True))
