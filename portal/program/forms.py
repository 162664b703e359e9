"""The program's forms: a tier, a benefit of the catalogue, a tier's benefit values, a
criterion, the settings and rates; the vendor's decisions on tier changes and overrides;
a partner's evidence."""
from datetime import date
from decimal import Decimal

import wtforms
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.core.forms import Form, choices, enum_choices, tier_choices
from portal.core.models import PartnerType, Tier
from portal.core.tiers import tier_by_key
from portal.program.models import Benefit, BenefitKind, BenefitUse, CriterionKind, PromotionPolicy
from portal.program.services import COLOUR, KEY, BenefitInput, CriterionInput, SettingsInput, TierInput


class TierForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the tier a name."), Length(max=60)])
    key = StringField("Key", validators=[Optional(), Regexp(KEY.pattern + "$", message=(
        "Lowercase letters, digits and hyphens, starting with a letter."))],
        description="Used in links, filters and the API, e.g. “gold”. It cannot change later.")
    rank = IntegerField("Rank", validators=[InputRequired("Give the tier a rank."), NumberRange(
        0, 1000, "From 0 to 1,000.")], description="Higher is better; each tier has its own.")
    colour = wtforms.ColorField("Colour", default="#98a2b3", filters=[lambda v: v.lower() if v else v], validators=[
        DataRequired(), Regexp(COLOUR.pattern + "$", message="A colour such as #ca8504.")])
    description = TextAreaField("What it means for a partner", validators=[Length(max=2000)])

    def to_input(self) -> TierInput:
        key = self.key.data or _key_from(self.name.data)
        return TierInput(key, self.name.data, self.rank.data, self.colour.data, self.description.data or "")


def _key_from(name: str) -> str:
    """A key for a tier named without one: "Gold Plus" -> "gold-plus"."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in name.lower()).split()
    key = "-".join(words)[:40].strip("-")
    return key if key[:1].isalpha() else f"tier-{key}".strip("-")


class BenefitForm(Form):
    name = StringField("Benefit", validators=[DataRequired("Name the benefit."), Length(max=100)])
    kind = SelectField("Its value is", choices=enum_choices(BenefitKind), default=BenefitKind.text.value)
    use = SelectField("Read by the portal as", choices=choices([("", "Nothing: shown to partners only"),
                                                                *((u.value, u.label) for u in BenefitUse)]),
                      default="")

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


class CriterionForm(Form):
    kind = SelectField("Measure", choices=enum_choices(CriterionKind), default=CriterionKind.certified_people.value)
    path_id = SelectField("Certification", coerce=lambda v: int(v) if v else None, validators=[Optional()],
                          description="For certified people.")
    name = StringField("What the partner shows", validators=[Length(max=200)],
                       description="For evidence, e.g. “Signed annual business plan”.")
    target = IntegerField("Target", default=1, validators=[InputRequired("Give a target."), NumberRange(
        max=10**12, message="At most 1,000,000,000,000.")],
        description="People, registrations, or whole units of the program's currency.")
    window_months = IntegerField("Window (months)", default=12, validators=[InputRequired("Give a window."),
                                                                             NumberRange(1, 60, "From 1 to 60.")])
    partner_type = SelectField("Partner type", default="", choices=[SelectChoice("", "Every type"),
                                                                  *enum_choices(PartnerType)])

    def set_path_choices(self, paths) -> None:
        self.path_id.choices = choices([("", "—"), *((p.id, p.certification_name) for p in paths if p.certifies)])

    def to_input(self) -> CriterionInput:
        return CriterionInput(CriterionKind(self.kind.data), self.target.data,
                              PartnerType(self.partner_type.data) if self.partner_type.data else None,
                              self.path_id.data, self.window_months.data, self.name.data or "")


class SettingsForm(Form):
    currency = StringField("Program currency", validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message=(
        "Three letters, e.g. USD."))], filters=[lambda v: v.upper() if v else v],
        description="Revenue targets are in it; other currencies convert at the rates below.")
    promotions = SelectField("Promotions", choices=enum_choices(PromotionPolicy))
    grace_days = IntegerField("Grace period before a demotion (days)", validators=[
        InputRequired("Give a number of days."), NumberRange(0, 365, "From 0 to 365.")])

    def to_input(self) -> SettingsInput:
        return SettingsInput(self.currency.data, PromotionPolicy(self.promotions.data), self.grace_days.data)


class RateForm(Form):
    currency = StringField("Currency", validators=[DataRequired(), Regexp(r"^[A-Za-z]{3}$", message=(
        "Three letters, e.g. EUR."))], filters=[lambda v: v.upper() if v else v])
    rate = wtforms.DecimalField("Worth in the program's currency", places=None, validators=[
        InputRequired("Give the rate."), NumberRange(min=0, message="Above 0.")],
        description="One unit of the currency is worth this much, e.g. 1.08.")

    def to_input(self) -> tuple[str, Decimal]:
        return self.currency.data, self.rate.data


class OverrideForm(Form):
    tier = SelectField("Tier")  # one of the choices, or "Not a valid choice"
    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason; the partner's admins see it."),
                                                 Length(max=1000)])
    pinned_until = DateField("Pin until", validators=[Optional()],
                             description="Evaluations leave the tier alone until then. Empty: no pin.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = tier_choices()

    def to_input(self) -> tuple[Tier, str, date | None]:
        return tier_by_key(self.tier.data), self.reason.data, self.pinned_until.data


class DeclineForm(Form):
    reason = TextAreaField("Why not?", validators=[DataRequired("Give a reason; the partner's admins see it."),
                                                   Length(max=1000)])

    def to_input(self) -> str:
        return self.reason.data


class DeferForm(Form):
    until = DateField("Defer until", validators=[InputRequired("Give a date.")])

    def to_input(self) -> date:
        return self.until.data


class EvidenceForm(Form):
    file = FileField("The document (PDF)", render_kw={"accept": "application/pdf,.pdf"},
                     description="Optional: the vendor confirms it either way.")

    def to_input(self):
        return self.file.data or None
