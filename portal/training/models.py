"""Training: courses of ordered lessons with a quiz, learning paths that end in a
certification, the trainees' progress and attempts, and certificates. (The tiers'
certification criteria are the program's.)

Answer keys (QuizOption.correct, Question.explanation) live only here and in the grading
service; the templates that show a quiz before grading never read them.
"""
import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import clock
from portal.core.markdown import render_markdown
from portal.core.models import Audience, Organization, User, _enum
from portal.extensions import db

if TYPE_CHECKING:
    from portal.assets.models import Asset

__all__ = [
    "Attempt", "AttemptAnswer", "AttemptGrant", "Certificate", "CertificateStatus", "Course", "Enrollment", "LearningPath",
    "Lesson", "LessonCompletion", "PathCourse", "Question", "QuestionKind", "Quiz", "QuizOption",
    "lesson_assets",
]


class QuestionKind(enum.Enum):
    single = "single"
    multiple = "multiple"

    @property
    def label(self) -> str:
        return {"single": "Single choice", "multiple": "Multiple choice"}[self.value]


class CertificateStatus(enum.Enum):
    valid = "valid"
    expired = "expired"
    revoked = "revoked"

    @property
    def label(self) -> str:
        return self.value.capitalize()


lesson_assets = sa.Table(
    "training_lesson_assets",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("training_lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Quiz(db.Model):
    """A course's quiz; a learning path names one of its courses' quizzes as its final exam."""

    __tablename__ = "training_quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pass_mark: Mapped[int] = mapped_column(default=80)  # percent
    max_attempts: Mapped[int] = mapped_column(default=3)  # per certification cycle
    cooldown_minutes: Mapped[int] = mapped_column(default=0)  # between the end of one attempt and the next
    shuffle: Mapped[bool] = mapped_column(default=False)  # question order per attempt
    draw_count: Mapped[int | None]  # draw N of the questions per attempt; None = all
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    questions: Mapped[list["Question"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", passive_deletes=True, order_by="Question.position",
    )
    course: Mapped["Course | None"] = relationship(back_populates="quiz", uselist=False)

    @property
    def title(self) -> str:
        return f"{self.course.title} quiz" if self.course else "Quiz"

    def questions_per_attempt(self) -> int:
        total = len(self.questions)
        return min(self.draw_count, total) if self.draw_count else total


class Question(db.Model):
    __tablename__ = "training_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("training_quizzes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind), default=QuestionKind.single)
    text: Mapped[str] = mapped_column(sa.String(1000))
    explanation: Mapped[str] = mapped_column(sa.String(2000), default="")  # shown only after grading

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list["QuizOption"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True,
        order_by="QuizOption.position",
    )

    @property
    def correct_ids(self) -> frozenset[int]:
        return frozenset(option.id for option in self.options if option.correct)


class QuizOption(db.Model):
    __tablename__ = "training_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("training_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class Course(db.Model):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    quiz_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_quizzes.id", ondelete="SET NULL"),
                                                unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True, order_by="Lesson.position",
    )
    quiz: Mapped[Quiz | None] = relationship(back_populates="course", cascade="all, delete-orphan",
                                             single_parent=True)


class Lesson(db.Model):
    __tablename__ = "training_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown as written
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered safely on save
    video_url: Mapped[str | None] = mapped_column(sa.String(500))  # https only
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    course: Mapped[Course] = relationship(back_populates="lessons")
    assets: Mapped[list["Asset"]] = relationship(secondary=lesson_assets, order_by="Asset.title")

    def set_body(self, markdown_text: str) -> None:
        self.body = markdown_text
        self.body_html = render_markdown(markdown_text)


class PathCourse(db.Model):
    __tablename__ = "training_path_courses"

    path_id: Mapped[int] = mapped_column(sa.ForeignKey("training_paths.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_courses.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship()


class LearningPath(db.Model):
    __tablename__ = "training_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    audience_id: Mapped[int] = mapped_column(sa.ForeignKey("audiences.id"), index=True)
    published: Mapped[bool] = mapped_column(default=False)
    exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_quizzes.id", ondelete="SET NULL"))
    certification_name: Mapped[str | None] = mapped_column(sa.String(200))  # None: no certification
    validity_months: Mapped[int | None]  # None: never expires
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    audience: Mapped[Audience] = relationship(cascade="all, delete-orphan", single_parent=True)
    exam: Mapped[Quiz | None] = relationship()
    path_courses: Mapped[list[PathCourse]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=PathCourse.position,
    )

    @property
    def courses(self) -> list[Course]:
        return [pc.course for pc in self.path_courses]

    @property
    def certifies(self) -> bool:
        return bool(self.certification_name) and self.exam_id is not None


class Enrollment(db.Model):
    __tablename__ = "training_enrollments"
    __table_args__ = (sa.UniqueConstraint("user_id", "path_id", name="uq_training_enrollments_user_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(sa.ForeignKey("training_paths.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship()
    path: Mapped[LearningPath] = relationship()


class LessonCompletion(db.Model):
    __tablename__ = "training_lesson_completions"
    __table_args__ = (sa.UniqueConstraint("user_id", "lesson_id", name="uq_training_lesson_completions_user_lesson"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("training_lessons.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(default=clock.now)


class Attempt(db.Model):
    """One sitting of a quiz: the questions drawn for it (AttemptAnswer rows, in the order
    shown) and, once submitted, the answers, the score and the verdict."""

    __tablename__ = "training_attempts"
    __table_args__ = (sa.Index("ix_training_attempts_user_quiz", "user_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("training_quizzes.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]  # percent, rounded down
    correct_count: Mapped[int | None]
    question_count: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool | None]

    user: Mapped[User] = relationship()
    org: Mapped[Organization] = relationship()
    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AttemptAnswer.position",
    )

    @property
    def is_graded(self) -> bool:
        return self.submitted_at is not None


class AttemptGrant(db.Model):
    """One more attempt at a quiz for one person, given by vendor staff once their attempts
    ran out. Counts only toward the attempts cycle it was given in (not after a renewal)."""

    __tablename__ = "training_attempt_grants"
    __table_args__ = (sa.Index("ix_training_attempt_grants_user_quiz", "user_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("training_quizzes.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AttemptAnswer(db.Model):
    __tablename__ = "training_attempt_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("training_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("training_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    chosen: Mapped[list | None] = mapped_column(sa.JSON)  # option ids, once submitted
    correct: Mapped[bool | None]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Certificate(db.Model):
    """A certification held by one person. The names are copied at issue, as printed."""

    __tablename__ = "training_certificates"
    __table_args__ = (sa.Index("ix_training_certificates_user_path", "user_id", "path_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # the public verification code
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    path_id: Mapped[int] = mapped_column(sa.ForeignKey("training_paths.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_attempts.id", ondelete="SET NULL"))
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    org_name: Mapped[str] = mapped_column(sa.String(200))
    certification_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    reminded_days: Mapped[int | None]  # the last expiry reminder sent (60 or 14 days before)
    # Its PDF, in the BlobStore, and the hash of what that PDF shows (portal.training.certificate_pdfs).
    pdf_key: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()
    org: Mapped[Organization] = relationship()
    path: Mapped[LearningPath] = relationship()

    def status_at(self, now: datetime) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.revoked
        if self.expires_at is not None and self.expires_at <= now:
            return CertificateStatus.expired
        return CertificateStatus.valid

    @property
    def status(self) -> CertificateStatus:
        return self.status_at(clock.now())
