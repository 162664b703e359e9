"""The brand kit form: the one validation path for saving and for the live preview."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.cobrand import services
from portal.cobrand.logos import ACCEPTED
from portal.cobrand.models import BrandKit

LOGO_ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"
MAX_TAGLINE = 80


class BrandKitForm(FlaskForm):
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
            return "" if valid_only and field.errors else (field.data or "").strip()

        return services.KitInput(
            display_name=value("display_name"),
            tagline=" ".join(value("tagline").split()),
            website=services.normalize_website(value("website")) or "",
            email=value("email"),
            phone=" ".join(value("phone").split()),
            address=services.normalize_address(value("address")),
            accent_color=services.normalize_color(value("accent_color")),
        )
