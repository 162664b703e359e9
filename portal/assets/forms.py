"""The vendor's asset form and the new-version upload."""
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import DateTimeLocalField, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, URL, ValidationError

from portal.assets.models import LANGUAGES, AssetType
from portal.assets.services import AssetInput
from portal.core.forms import AudienceForm, Form, choices, enum_choices

ACCEPT = ".pdf,.png,.jpg,.jpeg,.docx,.pptx,.xlsx,.txt,.md,.markdown"
FILE_HINT = "PDF, PNG, JPEG, Word, PowerPoint, Excel, plain text or Markdown."


class AssetForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=1000)],
                            description="One or two sentences partners see in lists and search results.")
    asset_type = SelectField("Type", choices=enum_choices(AssetType))
    product_id = SelectField("Product", coerce=int)
    tags = StringField("Tags", validators=[Optional(), Length(max=300)], description="Separate tags with commas.")
    language = SelectField("Language", choices=choices(LANGUAGES.items()), default="en")
    file = FileField("File", render_kw={"accept": ACCEPT}, description=FILE_HINT)
    external_url = StringField("Video link", validators=[Optional(), URL(require_tld=True), Length(max=500)],
                               description="For videos: an https:// link to where the video plays.")
    publish_at = DateTimeLocalField("Publish at (UTC)", validators=[DataRequired()])
    expire_at = DateTimeLocalField("Expires at (UTC)", validators=[Optional()],
                                   description="Partners stop seeing it then; you still do, marked expired.")
    audience = FormField(AudienceForm)

    def __init__(self, *args, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file  # editing an asset that already has a file

    def set_product_choices(self, products) -> None:
        self.product_id.choices = choices([(0, "— No product —")] + [(p.id, p.name) for p in products])

    def validate_external_url(self, field):
        if not field.data.lower().startswith("https://"):
            raise ValidationError("Use an https:// link.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_external_url: Optional() skips a field's own checks when empty.
        if self.asset_type.data == AssetType.video.value and not self.external_url.data:
            self.external_url.errors = [*self.external_url.errors, "A video needs a link."]
            return False
        return valid

    def validate_file(self, field):
        is_video = self.asset_type.data == AssetType.video.value
        if is_video and field.data:
            raise ValidationError("A video is a link, not a file: leave this empty.")
        if not is_video and not field.data and not self.has_file:
            raise ValidationError("Choose the file partners will download.")

    def validate_expire_at(self, field):
        if field.data and self.publish_at.data and field.data <= self.publish_at.data:
            raise ValidationError("The expiry must come after the publish date.")

    def to_input(self) -> AssetInput:
        asset_type = AssetType(self.asset_type.data)
        return AssetInput(
            title=self.title.data, summary=self.summary.data or "", asset_type=asset_type,
            product_id=self.product_id.data or None, tags=self.tags.data or "", language=self.language.data,
            publish_at=self.publish_at.data, expire_at=self.expire_at.data,
            external_url=(self.external_url.data or "") if asset_type is AssetType.video else None,
            audience=self.audience.to_input(),
        )


class VersionForm(Form):
    file = FileField("New file", validators=[FileRequired("Choose the new file.")],
                     render_kw={"accept": ACCEPT}, description=FILE_HINT)

    def to_input(self) -> FileStorage:
        return self.file.data
