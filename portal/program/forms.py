"""The vendor's program forms: a tier, a benefit of the catalogue, a tier's benefit values."""
import wtforms
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import Form, choices, enum_choices
from portal.program.models import Benefit, BenefitKind, BenefitUse
from portal.program.services import COLOUR, KEY, BenefitInput, TierInput


class TierForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the tier a name."), Length(max=60)])
    key = StringField("Key", validators=[Optional(), Regexp(KEY.pattern + "$", message=(
        "Lowercase letters, digits and hyphens, starting with a letter."))],
        description="Used in links, filters and the API, e.g. “gold”. It cannot change later.")
    rank = IntegerField("Rank", validators=[InputRequired("Give the tier a rank."), NumberRange(
        0, 1000, "From 0 to 1,000.")], description="Higher is better; each tier has its own.")
    colour = wtforms.ColorField("Colour", default="#98a2b3", validators=[
        DataRequired(), Regexp(COLOUR.pattern + "$", message="A colour such as #ca8504.")])
    description = TextAreaField("What it means for a partner", validators=[Length(max=2000)])

    def to_input(self) -> TierInput:
        key = self.key.data or _key_from(self.name.data)
        return TierInput(key, self.name.data, self.rank.data, self.colour.data.lower(), self.description.data or "")


def _key_from(name: str) -> str:
    """A key for a tier named without one: "Gold Plus" -> "gold-plus"."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in name.lower()).split()
    key = "-".join(words)[:40].strip("-")
    return key if key[:1].isalpha() else f"tier-{key}".strip("-")


class BenefitForm(Form):
    name = StringField("Benefit", validators=[DataRequired("Name the benefit."), Length(max=100)])
    kind = SelectField("Its value is", choices=enum_choices(BenefitKind), default=BenefitKind.text.value)
    use = SelectField("Read by the portal as", choices=[("", "Nothing: shown to partners only"),
                                                        *((u.value, u.label) for u in BenefitUse)], default="")

    def to_input(self) -> BenefitInput:
        return BenefitInput(self.name.data, BenefitKind(self.kind.data), BenefitUse(self.use.data) if self.use.data
                            else None)


def tier_benefits_form(catalogue: list[Benefit], values: dict[int, str], formdata=None) -> Form:
    """One field per benefit of the catalogue (benefit_<id>), filled with the tier's values."""

    class TierBenefitsForm(Form):
        def to_input(self) -> dict[int, str]:
            return {benefit.id: self[f"benefit_{benefit.id}"].data or "" for benefit in catalogue}

    for benefit in catalogue:
        hint = {BenefitKind.percent: "A percentage, e.g. 12.5", BenefitKind.days: "Days",
                BenefitKind.count: "A whole number", BenefitKind.text: "What the partner gets"}[benefit.kind]
        setattr(TierBenefitsForm, f"benefit_{benefit.id}", StringField(
            benefit.name, validators=[Length(max=500)], description=f"{hint}; empty: none."))
    form = TierBenefitsForm(formdata=formdata) if formdata is not None else TierBenefitsForm()
    if formdata is None:
        for benefit_id, value in values.items():
            form[f"benefit_{benefit_id}"].data = value
    return form
