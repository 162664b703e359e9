"""Training forms: the vendor's editor, the quiz a trainee answers (built per attempt from
the drawn questions, with no answer key in it), and revocations."""
from urllib.parse import urlsplit

from wtforms import (
    BooleanField, FieldList, FormField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core.forms import AudienceForm, Form, MultiCheckboxField, SubForm, choices, enum_choices
from portal.training.models import Attempt, QuestionKind
from portal.training.editor import CourseInput, LessonInput, PathInput, QuestionInput, QuizSettings

OPTION_SLOTS = 6
VALIDITY_CHOICES = [("", "Never expires"), ("6", "6 months"), ("12", "12 months"), ("24", "24 months"),
                    ("36", "36 months")]


class CourseForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the course a title."), Length(max=200)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=1000)],
                            description="One or two sentences: what the trainee will be able to do afterwards.")

    def to_input(self) -> CourseInput:
        return CourseInput(self.title.data, self.summary.data or "")


class LessonForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the lesson a title."), Length(max=200)])
    body = TextAreaField("Lesson text", validators=[DataRequired("Write the lesson."), Length(max=50_000)],
                         description="Markdown: headings, **bold**, lists, links. HTML is shown as text.")
    video_url = StringField("Video link", validators=[Optional(), Length(max=500)],
                            description="An https:// link to the video (it opens in a new tab).")
    asset_ids = SelectMultipleField("Attached library assets", coerce=int, validators=[Optional()],
                                    description="Hold Ctrl (Cmd on a Mac) to pick several. Trainees see the ones "
                                                "the library shows them.")

    def set_asset_choices(self, assets) -> None:
        self.asset_ids.choices = choices((a.id, a.title) for a in assets)

    def validate_video_url(self, field):
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme != "https" or not parts.netloc:
            raise ValidationError("Enter a full https:// link, e.g. https://videos.example.com/intro.")

    def to_input(self) -> LessonInput:
        return LessonInput(self.title.data, self.body.data, self.video_url.data or None, self.asset_ids.data or [])


class QuizForm(Form):
    pass_mark = IntegerField("Pass mark (%)", default=80,
                             validators=[InputRequired("Enter the pass mark."),
                                         NumberRange(1, 100, "Enter a percentage from 1 to 100.")])
    max_attempts = IntegerField("Attempts allowed", default=3,
                                validators=[InputRequired("Enter how many attempts a trainee has."),
                                            NumberRange(1, 20, "Allow from 1 to 20 attempts.")],
                                description="Per certification: they start again when it is renewed.")
    cooldown_minutes = IntegerField("Wait between attempts (minutes)", default=0,
                                    validators=[InputRequired("Enter 0 for no wait."),
                                                NumberRange(0, 43_200, "At most 30 days (43,200 minutes).")])
    shuffle = BooleanField("Shuffle the questions for each attempt")
    draw_count = IntegerField("Questions per attempt", validators=[Optional(), NumberRange(1, 200,
                              "Draw from 1 to 200 questions, or leave it empty for all.")],
                              description="Leave empty to ask every question; a number draws that many at "
                                          "random from the pool.")

    def to_input(self) -> QuizSettings:
        return QuizSettings(self.pass_mark.data, self.max_attempts.data, self.cooldown_minutes.data,
                            bool(self.shuffle.data), self.draw_count.data or None)


class OptionForm(SubForm):
    text = StringField("Option", validators=[Optional(), Length(max=500)])
    correct = BooleanField("Correct")

    def to_input(self) -> tuple[str, bool]:
        return self.text.data or "", bool(self.correct.data)


class QuestionForm(Form):
    text = TextAreaField("Question", validators=[DataRequired("Write the question."), Length(max=1000)])
    kind = SelectField("Type", choices=enum_choices(QuestionKind), default=QuestionKind.single.value)
    options = FieldList(FormField(OptionForm), min_entries=OPTION_SLOTS, max_entries=OPTION_SLOTS)
    explanation = TextAreaField("Explanation", validators=[Optional(), Length(max=2000)],
                                description="Shown with the results, after grading: why the right answer is right.")

    def fill_options(self, question) -> None:
        for slot, option in zip(self.options, question.options):
            slot.form.text.data, slot.form.correct.data = option.text, option.correct

    def filled(self) -> list[tuple[str, bool]]:
        return [slot.form.to_input() for slot in self.options if slot.form.text.data]

    def validate_options(self, field):
        filled = self.filled()
        ticked_blank = any(slot.form.correct.data and not slot.form.text.data for slot in field)
        if ticked_blank:
            raise ValidationError("An option marked correct has no text.")
        if len(filled) < 2:
            raise ValidationError("Give at least two options.")
        right = sum(1 for _, correct in filled if correct)
        if self.kind.data == QuestionKind.single.value and right != 1:
            raise ValidationError("Mark exactly one option correct (or make it a multiple-choice question).")
        if self.kind.data == QuestionKind.multiple.value and right < 1:
            raise ValidationError("Mark at least one option correct.")

    def to_input(self) -> QuestionInput:
        return QuestionInput(QuestionKind(self.kind.data), self.text.data, self.explanation.data or "", self.filled())


class PathForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the path a title."), Length(max=200)])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=1000)])
    published = BooleanField("Published: trainees in its audience see it")
    certification_name = StringField("Certification", validators=[Optional(), Length(max=200)],
                                     description="The name printed on the certificate, e.g. “Certified Sales "
                                                 "Associate”. Leave empty for a path without a certification.")
    validity_months = SelectField("Valid for", choices=choices(VALIDITY_CHOICES), default="12")
    exam_id = SelectField("Final exam", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                          validators=[Optional()],
                          description="The quiz of one of the path's courses. Passing it (after the courses) "
                                      "earns the certification; renewing means passing it again.")
    audience = FormField(AudienceForm)

    def set_exam_choices(self, path) -> None:
        quizzes = [(c.quiz_id, f"Quiz of “{c.title}”") for c in (path.courses if path else []) if c.quiz_id]
        self.exam_id.choices = choices([("", "— None —"), *quizzes])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        certifies = bool(self.certification_name.data)
        if valid and certifies and self.published.data and not self.exam_id.data:
            if len(self.exam_id.choices) > 1:
                self.exam_id.errors.append("A published path with a certification needs a final exam: choose one.")
            else:
                self.published.errors.append("A certification needs a final exam: save the path unpublished, add a "
                                             "course with a quiz, choose it as the final exam, then publish.")
            return False
        return valid

    def to_input(self) -> PathInput:
        return PathInput(
            title=self.title.data, summary=self.summary.data or "", published=self.published.data,
            certification_name=self.certification_name.data or None,
            validity_months=int(self.validity_months.data) if self.validity_months.data else None,
            exam_id=self.exam_id.data, audience=self.audience.to_input())


class AddCourseForm(Form):
    course_id = SelectField("Add a course", coerce=int, validators=[DataRequired("Choose a course.")])

    def to_input(self) -> int:
        return self.course_id.data


class RevokeForm(Form):
    reason = StringField("Reason", validators=[DataRequired("Give a reason; the holder will see it."),
                                               Length(max=500)])

    def to_input(self) -> str:
        return self.reason.data


class MoveForm(Form):
    direction = StringField()  # the button pressed: "up" or "down"

    def to_input(self) -> str:
        return "up" if self.direction.data == "up" else "down"


def answer_form(attempt: Attempt, formdata=None):
    """The form for one attempt: a field per drawn question, in the drawn order. Its choices
    are option ids and texts only; the answer key never enters it."""

    class AnswerForm(Form):
        def to_input(self) -> dict[int, list[int]]:
            """The chosen option ids per question."""
            result = {}
            for answer in attempt.answers:
                data = self[f"q{answer.question_id}"].data
                result[answer.question_id] = [data] if isinstance(data, int) else list(data or [])
            return result

    for answer in attempt.answers:
        question = answer.question
        option_choices = choices((option.id, option.text) for option in question.options)
        message = "Choose an answer." if question.kind is QuestionKind.single else "Choose at least one answer."
        if question.kind is QuestionKind.single:
            field = RadioField(question.text, coerce=int, choices=option_choices,
                               validators=[InputRequired(message)])
        else:
            field = MultiCheckboxField(question.text, coerce=int, choices=option_choices,
                                       validators=[DataRequired(message)])
        setattr(AnswerForm, f"q{question.id}", field)
    return AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()
