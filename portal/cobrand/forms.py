"""The brand kit form (the one validation path for saving and for the live preview), the
vendor's template form and what a partner types to co-brand one."""
from flask_wtf.file import FileField
from wtforms import EmailField, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.cobrand import services
from portal.cobrand.collateral import TemplateInput, Typed
from portal.cobrand.designs import MAX_SOURCE, PARTNER_TYPED, SLOTS, TEXT_SLOTS, Design
from portal.cobrand.logos import ACCEPTED
from portal.cobrand.models import BrandKit, PageSize
from portal.core.forms import AudienceForm, Form, SourceField, enum_choices

LOGO_ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"
MAX_TAGLINE = 80


class BrandKitForm(Form):
    display_name = StringField("Name on co-branded material", validators=[DataRequired("Enter the name to print."),
                                                                          Length(max=200)],
                               description="Usually your company's name as customers know it.",
                               render_kw={"autocomplete": "organization"})
    logo = FileField("Logo", render_kw={"accept": LOGO_ACCEPT}, description=ACCEPTED)
    tagline = StringField("Tagline", validators=[Optional(), Length(max=MAX_TAGLINE)],
                          description=f"One short line under your name, at most {MAX_TAGLINE} characters.",
                          render_kw={"maxlength": MAX_TAGLINE})
    website = StringField("Website", validators=[Optional(), Length(max=253)],
                          description="e.g. yourcompany.com", render_kw={"autocomplete": "url", "inputmode": "url"})
    email = EmailField("Email", validators=[Optional(), Email("Enter an email address, e.g. sales@yourcompany.com."),
                                            Length(max=254)], render_kw={"autocomplete": "email"})
    phone = StringField("Phone", validators=[Optional(), Length(max=40)],
                        render_kw={"type": "tel", "autocomplete": "tel"})
    address = TextAreaField("Postal address", validators=[Optional(), Length(max=400)],
                            description=f"As it should print, one line per line "
                                        f"(at most {services.MAX_ADDRESS_LINES}).",
                            render_kw={"rows": 4, "autocomplete": "street-address"})
    accent_color = StringField("Accent colour", validators=[Optional()],
                               description="Your brand colour as # and six hex digits, e.g. #1D6B4F. "
                                           "Headings and rules print in it.",
                               render_kw={"maxlength": 7, "spellcheck": "false", "autocomplete": "off",
                                          "placeholder": "#RRGGBB", "class": "color-input"})

    def fill_from(self, kit: BrandKit) -> None:
        """Show the saved kit (or, for a new one, the org's name) on a fresh form."""
        for name in ("display_name", "tagline", "website", "email", "phone", "address"):
            getattr(self, name).data = getattr(kit, name) or ""
        self.accent_color.data = kit.accent_color or ""

    def validate_website(self, field):
        if field.data and services.normalize_website(field.data) is None:
            raise ValidationError("Enter your website's address, e.g. yourcompany.com or "
                                  "https://yourcompany.com/partners.")

    def validate_phone(self, field):
        if field.data and not services.is_phone(field.data):
            raise ValidationError("Enter a phone number with 7 to 20 digits, e.g. +1 303 555 0142.")

    def validate_address(self, field):
        if len(services.normalize_address(field.data).splitlines()) > services.MAX_ADDRESS_LINES:
            raise ValidationError(f"Keep the address to {services.MAX_ADDRESS_LINES} lines, so it fits the "
                                  "contact block.")

    def validate_accent_color(self, field):
        if field.data and services.normalize_color(field.data) is None:
            raise ValidationError("Enter a colour as # and six hex digits, e.g. #1D6B4F.")

    def to_input(self, valid_only: bool = False) -> services.KitInput:
        """The checked values. With valid_only (the live preview, before all is valid),
        a field with an error counts as empty."""
        def value(name: str) -> str:
            field = getattr(self, name)
            return "" if valid_only and field.errors else field.data or ""

        return services.KitInput(
            display_name=value("display_name"),
            tagline=" ".join(value("tagline").split()),
            website=services.normalize_website(value("website")) or "",
            email=value("email"),
            phone=" ".join(value("phone").split()),
            address=services.normalize_address(value("address")),
            accent_color=services.normalize_color(value("accent_color")),
        )


# --- templates (vendor) and co-branding one (partner) -------------------------------------------

SOURCE_ACCEPT = {"html": ".html,.htm,text/html", "css": ".css,text/css"}
MAX_SOURCE_BYTES = MAX_SOURCE * 4  # UTF-8 takes at most 4 bytes a character


class TemplateForm(Form):
    """A vendor template: its listing, audience and design. The design's HTML and CSS come
    from the text boxes, or from uploaded files, which replace what the boxes hold."""

    title = StringField("Title", validators=[DataRequired("Give the template a title."), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=1000)],
                                description="What it is for; partners see this when they pick a template.",
                                render_kw={"rows": 2})
    page_size = SelectField("Paper", choices=enum_choices(PageSize), default=PageSize.A4.value)
    html = SourceField("HTML", validators=[Optional()],
                         description="What goes inside <body>. Each page is a <section class=\"page\">. Slots: "
                                     + ", ".join(f"{{{{ {name} }}}}" for name in SLOTS) + ". Images: "
                                     "portal-static:img/… files only.",
                         render_kw={"rows": 18, "spellcheck": "false", "class": "code-input", "autocomplete": "off"})
    css = SourceField("CSS", validators=[Optional()],
                        description="var(--partner-accent) is the partner's accent colour, when their kit has one.",
                        render_kw={"rows": 12, "spellcheck": "false", "class": "code-input", "autocomplete": "off"})
    html_file = FileField("…or upload the HTML", render_kw={"accept": SOURCE_ACCEPT["html"]})
    css_file = FileField("…or upload the CSS", render_kw={"accept": SOURCE_ACCEPT["css"]})
    audience = FormField(AudienceForm)

    def fill_from(self, template) -> None:
        self.title.data, self.description.data = template.title, template.description
        self.audience.fill_from(template.audience)
        version = template.current
        if version is not None:
            self.page_size.data, self.html.data, self.css.data = version.page_size.value, version.html, version.css
            for name, limit in version.slot_limits.items():
                getattr(self, f"limit_{name}").data = limit

    def read_uploads(self) -> bool:
        """Put uploaded HTML/CSS into the text boxes; False (with a field message) when a
        file is not UTF-8 text or is too large."""
        ok = True
        for name in ("html", "css"):
            upload = getattr(self, f"{name}_file")
            if not upload.data:
                continue
            data = upload.data.read(MAX_SOURCE_BYTES + 1)
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                upload.errors = [*upload.errors, "That file is not UTF-8 text: save it as UTF-8 and upload it again."]
                ok = False
                continue
            if len(data) > MAX_SOURCE_BYTES or len(text) > MAX_SOURCE:
                upload.errors = [*upload.errors, f"That file is larger than {MAX_SOURCE:,} characters."]
                ok = False
                continue
            getattr(self, name).data = text
        return ok

    def design(self) -> Design:
        limits = {name: getattr(self, f"limit_{name}").data for name in TEXT_SLOTS}
        return Design(self.html.data or "", self.css.data or "", self.page_size.data, limits)

    def to_input(self) -> TemplateInput:
        return TemplateInput(title=self.title.data, description=self.description.data or "",
                             audience=self.audience.to_input(), design=self.design())


# One "room for N characters" field per text slot: limit_partner_name, limit_tagline, ...
for _name, (_default, _most) in TEXT_SLOTS.items():
    setattr(TemplateForm, f"limit_{_name}", IntegerField(
        f"Room for {SLOTS[_name].removeprefix('Your ').lower()}", default=_default,
        validators=[InputRequired("Enter a number of characters."),
                    NumberRange(1, _most, f"Between 1 and {_most} characters.")],
        render_kw={"min": 1, "max": _most, "inputmode": "numeric"}, description="characters"))


class CobrandForm(Form):
    """What a partner types for one PDF. The limits are the template version's."""

    custom_message = TextAreaField("Your message", validators=[Optional()],
                                   description="Plain text: a few sentences in your own words.",
                                   render_kw={"rows": 5})
    offer = StringField("Offer line (optional)", validators=[Optional()],
                        description="e.g. “Free migration assessment until 31 March”.")

    def __init__(self, *args, limits: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        for name in PARTNER_TYPED:
            field = getattr(self, name)
            field.render_kw = {**(field.render_kw or {}), "maxlength": limits[name]}
            field.description = f"{field.description} At most {limits[name]} characters."

    def validate_custom_message(self, field):
        self._check_length(field)

    def validate_offer(self, field):
        if "\n" in (field.data or "") or "\r" in (field.data or ""):
            raise ValidationError("Keep the offer to one line.")
        self._check_length(field)

    def _check_length(self, field):
        limit = self.limits[field.name]
        if len(self._clean(field.data)) > limit:
            raise ValidationError(f"{len(self._clean(field.data))} characters: this template has room for {limit}.")

    @staticmethod
    def _clean(text: str | None) -> str:
        """Trimmed, with Windows line ends made plain, and at most one blank line in a row."""
        lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        cleaned = "\n".join(lines).strip()
        while "\n\n\n" in cleaned:
            cleaned = cleaned.replace("\n\n\n", "\n\n")
        return cleaned

    def to_input(self, valid_only: bool = False) -> Typed:
        """The checked values; with valid_only (the live preview), a field in error is empty."""
        def value(name: str) -> str:
            field = getattr(self, name)
            return "" if valid_only and field.errors else self._clean(field.data)

        return Typed(custom_message=value("custom_message"), offer=" ".join(value("offer").split()))
