"""The sign-in, password and API token forms."""
from dataclasses import dataclass

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.core.auth import MIN_PASSWORD_LENGTH
from portal.core.forms import Form


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str
    remember: bool


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")

    def to_input(self) -> Credentials:
        return Credentials(self.email.data, self.password.data, self.remember.data)


class ForgotPasswordForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])

    def to_input(self) -> str:
        return self.email.data


class SetPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )

    def to_input(self) -> str:
        """The new password."""
        return self.password.data


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])


class ApiTokenForm(Form):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)],
                       description="What will use it, e.g. “CRM sync”. Only you see it.")

    def to_input(self) -> str:
        return self.name.data
