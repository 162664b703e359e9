"""The vendor's announcement form."""
from wtforms import BooleanField, DateTimeLocalField, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.core.forms import AudienceForm, Form
from portal.rooms.services import AnnouncementInput


class AnnouncementForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        "Message", validators=[DataRequired(), Length(max=10_000)],
        description="Markdown: **bold**, _italic_, lists and links. HTML is shown as text.",
    )
    publish_at = DateTimeLocalField("Publish at (UTC)", validators=[DataRequired()])
    expire_at = DateTimeLocalField("Expires at (UTC)", validators=[Optional()],
                                   description="Leave empty to keep it up until you remove it.")
    pinned = BooleanField("Pin to the top of rooms")
    audience = FormField(AudienceForm)

    def validate_expire_at(self, field):
        if field.data and self.publish_at.data and field.data <= self.publish_at.data:
            raise ValidationError("The expiry must come after the publish date.")

    def to_input(self) -> AnnouncementInput:
        return AnnouncementInput(
            title=self.title.data, body=self.body.data, publish_at=self.publish_at.data,
            expire_at=self.expire_at.data, pinned=self.pinned.data, audience=self.audience.to_input(),
        )
