"""What a learner has done: progress through courses and paths (computed from a few
queries, for one person or many), enrolling, completing lessons, and the certificate a
completed path earns (see certificates.py for the certification cycle)."""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.core import clock
from portal.core.models import Persona, User
from portal.extensions import db
from portal.training.access import paths_visible_to
from portal.training.certificates import RENEWAL_WINDOW, issue_certificate
from portal.training.errors import TrainingError
from portal.training.models import (
    Attempt, Certificate, CertificateStatus, Course, Enrollment, LearningPath, Lesson, LessonCompletion, PathCourse,
)


@dataclass
class Learner:
    """Everything progress is computed from, loaded in a few queries (for one or many people)."""

    user: User
    done_lessons: set[int] = field(default_factory=set)
    passed_quizzes: set[int] = field(default_factory=set)
    enrolled: dict[int, datetime] = field(default_factory=dict)  # path id -> enrolled at
    certificates: list[Certificate] = field(default_factory=list)  # newest first

    def latest_certificate(self, path_id: int) -> Certificate | None:
        return next((c for c in self.certificates if c.path_id == path_id), None)


def learners(users: list[User]) -> dict[int, Learner]:
    found = {user.id: Learner(user) for user in users}
    if not found:
        return found
    ids = list(found)
    for user_id, lesson_id in db.session.execute(
            sa.select(LessonCompletion.user_id, LessonCompletion.lesson_id).where(LessonCompletion.user_id.in_(ids))):
        found[user_id].done_lessons.add(lesson_id)
    for user_id, quiz_id in db.session.execute(
            sa.select(Attempt.user_id, Attempt.quiz_id).where(Attempt.user_id.in_(ids), Attempt.passed.is_(True))
            .distinct()):
        found[user_id].passed_quizzes.add(quiz_id)
    for user_id, path_id, at in db.session.execute(
            sa.select(Enrollment.user_id, Enrollment.path_id, Enrollment.enrolled_at).where(Enrollment.user_id.in_(ids))):
        found[user_id].enrolled[path_id] = at
    for certificate in db.session.scalars(
            sa.select(Certificate).where(Certificate.user_id.in_(ids))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())):
        found[certificate.user_id].certificates.append(certificate)
    return found


def learner(user: User) -> Learner:
    return learners([user])[user.id]


@dataclass
class CourseProgress:
    course: Course
    lessons_done: int
    lessons_total: int
    quiz_passed: bool | None  # None: the course has no quiz
    next_lesson: Lesson | None

    @property
    def steps_total(self) -> int:
        return self.lessons_total + (0 if self.quiz_passed is None else 1)

    @property
    def steps_done(self) -> int:
        return self.lessons_done + (1 if self.quiz_passed else 0)

    @property
    def lessons_complete(self) -> bool:
        return self.lessons_done >= self.lessons_total

    @property
    def complete(self) -> bool:
        return self.lessons_complete and self.quiz_passed is not False


def course_progress(facts: Learner, course: Course) -> CourseProgress:
    done = [lesson for lesson in course.lessons if lesson.id in facts.done_lessons]
    next_lesson = next((lesson for lesson in course.lessons if lesson.id not in facts.done_lessons), None)
    quiz_passed = None if course.quiz is None else course.quiz_id in facts.passed_quizzes
    return CourseProgress(course, len(done), len(course.lessons), quiz_passed, next_lesson)


@dataclass
class Step:
    label: str
    endpoint: str
    values: dict


@dataclass
class PathProgress:
    path: LearningPath
    courses: list[CourseProgress]
    enrolled: bool
    certificate: Certificate | None  # the newest, whatever its status
    now: datetime

    @property
    def steps_total(self) -> int:
        return sum(c.steps_total for c in self.courses)

    @property
    def steps_done(self) -> int:
        return sum(c.steps_done for c in self.courses)

    @property
    def percent(self) -> int:
        return self.steps_done * 100 // self.steps_total if self.steps_total else 0

    @property
    def complete(self) -> bool:
        return all(c.complete for c in self.courses) and bool(self.courses)

    @property
    def certificate_status(self) -> CertificateStatus | None:
        return self.certificate.status_at(self.now) if self.certificate else None

    @property
    def certified(self) -> bool:
        return self.certificate_status is CertificateStatus.valid

    @property
    def renewal_due(self) -> bool:
        """The certification has lapsed (or will within the renewal window): retake the exam."""
        certificate = self.certificate
        if certificate is None:
            return False
        if self.certificate_status is not CertificateStatus.valid:
            return True
        return certificate.expires_at is not None and certificate.expires_at - RENEWAL_WINDOW <= self.now

    @property
    def next_step(self) -> Step | None:
        for progress in self.courses:
            if progress.next_lesson is not None:
                return Step(progress.next_lesson.title, "training.lesson", {"lesson_id": progress.next_lesson.id})
            if progress.quiz_passed is False:
                return Step(f"{progress.course.title} quiz", "training.quiz", {"quiz_id": progress.course.quiz_id})
        if self.path.certifies and (self.renewal_due or self.certificate is None):
            label = "Recertification exam" if self.certificate else "Final exam"
            return Step(label, "training.quiz", {"quiz_id": self.path.exam_id})
        return None


def path_progress(facts: Learner, path: LearningPath, now: datetime | None = None) -> PathProgress:
    return PathProgress(path, [course_progress(facts, course) for course in path.courses],
                        path.id in facts.enrolled, facts.latest_certificate(path.id) if path.certifies else None,
                        now or clock.now())


def with_contents(stmt):
    return stmt.options(
        selectinload(LearningPath.path_courses).selectinload(PathCourse.course).selectinload(Course.lessons),
        selectinload(LearningPath.path_courses).selectinload(PathCourse.course).selectinload(Course.quiz),
    )


def my_training(user: User) -> tuple[list[PathProgress], list[LearningPath]]:
    """(the paths the user is enrolled in, with progress; the other paths open to them)."""
    facts = learner(user)
    paths = db.session.scalars(with_contents(paths_visible_to(user)).order_by(LearningPath.title)).all()
    now = clock.now()
    mine = [path_progress(facts, path, now) for path in paths if path.id in facts.enrolled]
    mine.sort(key=lambda p: facts.enrolled[p.path.id], reverse=True)
    return mine, [path for path in paths if path.id not in facts.enrolled]


def room_paths(user: User, persona: Persona, limit: int = 3) -> tuple[list[PathProgress], int]:
    """For the room's training card: my paths for this room, and how many others are open."""
    facts = learner(user)
    paths = db.session.scalars(with_contents(paths_visible_to(user, persona)).order_by(LearningPath.title)).all()
    now = clock.now()
    mine = [path_progress(facts, path, now) for path in paths if path.id in facts.enrolled]
    mine.sort(key=lambda p: (p.complete and not p.renewal_due, -p.percent))
    return mine[:limit], len(paths) - len(mine)


# --- doing the training --------------------------------------------------------------------


def enroll(user: User, path: LearningPath) -> Enrollment:
    if user.is_vendor:
        raise TrainingError("Vendor staff preview paths; they do not enroll.")
    enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user.id,
                                                               Enrollment.path_id == path.id))
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, path_id=path.id)
        db.session.add(enrollment)
        db.session.flush()
    return enrollment


def is_lesson_done(user: User, lesson: Lesson) -> bool:
    return db.session.scalar(sa.select(LessonCompletion.id).where(
        LessonCompletion.user_id == user.id, LessonCompletion.lesson_id == lesson.id)) is not None


def complete_lesson(user: User, lesson: Lesson) -> list[Certificate]:
    """Mark a lesson done (idempotent); returns any certificate this completes."""
    if user.is_vendor:
        raise TrainingError("Vendor staff preview lessons; they do not complete them.")
    if not is_lesson_done(user, lesson):
        db.session.add(LessonCompletion(user_id=user.id, lesson_id=lesson.id))
        db.session.flush()
    return certify_paths_of(user, lesson.course)


def certify_paths_of(user: User, course: Course) -> list[Certificate]:
    paths = db.session.scalars(with_contents(paths_visible_to(user)).join(
        PathCourse, PathCourse.path_id == LearningPath.id).where(PathCourse.course_id == course.id)).all()
    issued = []
    for path in paths:
        certificate = certify_if_earned(user, path)
        if certificate:
            issued.append(certificate)
    return issued


def certify_if_earned(user: User, path: LearningPath) -> Certificate | None:
    """Issue the path's certificate when the courses are complete and the final exam was
    passed in this cycle; None when it is not earned (or already held)."""
    if not path.certifies:
        return None
    facts = learner(user)
    progress = path_progress(facts, path)
    if not progress.complete or (progress.certificate is not None and not progress.renewal_due):
        return None
    since = (progress.certificate.attempt_id or 0) if progress.certificate else 0
    passing = db.session.scalar(sa.select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == path.exam_id, Attempt.passed.is_(True), Attempt.id > since)
        .order_by(Attempt.id.desc()).limit(1))
    if passing is None:
        return None
    return issue_certificate(user, path, passing)
