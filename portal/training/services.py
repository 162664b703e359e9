"""Training's rules: who sees which path, progress, quizzes graded on the server with their
attempt limits and cooldowns, certificates and their renewal, expiry reminders, tier
requirements and the vendor's statistics. Routes and `cli.py tick` come through here;
nothing here reads the request.

Certification cycle: a path certifies when all of its courses are complete (every lesson
marked done, every course quiz passed) and its final exam (one of its courses' quizzes) is
passed. A certificate may be renewed from RENEWAL_WINDOW before it expires, and must be
after it expired or was revoked: the holder passes the final exam again (the courses stay
complete). Attempts count per cycle: those after the attempt that earned the last
certificate.
"""
import calendar
import random
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from portal.assets.models import Asset
from portal.assets.services import assets_for
from portal.core import audit, clock
from portal.core.access import AudienceSpec, apply_audience, describe, get_or_404, people_visible_to, visible
from portal.core.models import Audience, Organization, OrgKind, Persona, Role, Tier, User
from portal.extensions import db
from portal.notifications.services import notify
from portal.training import grading
from portal.training.models import (
    Attempt, AttemptAnswer, AttemptGrant, Certificate, CertificateStatus, Course, Enrollment, LearningPath, Lesson,
    LessonCompletion, PathCourse, Question, QuestionKind, Quiz, QuizOption, TierRequirement, lesson_assets,
)

REMINDER_DAYS = (60, 14)  # before a certification expires
RENEWAL_WINDOW = timedelta(days=REMINDER_DAYS[0])
EXPIRING_SOON = timedelta(days=REMINDER_DAYS[0])
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed back
MAX_CODE_LENGTH = 32
CODE_SHAPE = re.compile(rf"[A-Z0-9-]{{1,{MAX_CODE_LENGTH}}}")  # issued codes, and the demo's DEMO-CERT-0001


class TrainingError(Exception):
    """The action does not apply as things stand; the message is for the user."""


# --- who sees what -----------------------------------------------------------------------


def paths_visible_to(user: User, persona: Persona | None = None):
    """The one scoped query for learning paths: vendor staff see all, partners the published
    paths whose audience includes them (and this persona's room, if given)."""
    stmt = sa.select(LearningPath)
    if user.is_vendor:
        return stmt
    return visible(stmt.where(LearningPath.published.is_(True)), LearningPath, user, persona)


def _visible_path_ids(user: User):
    return visible(sa.select(LearningPath.id).where(LearningPath.published.is_(True)), LearningPath, user)


def _visible_course_ids(user: User):
    return sa.select(PathCourse.course_id).where(PathCourse.path_id.in_(_visible_path_ids(user)))


def courses_visible_to(user: User):
    """Courses of the paths the user may see."""
    stmt = sa.select(Course)
    return stmt if user.is_vendor else stmt.where(Course.id.in_(_visible_course_ids(user)))


def lessons_visible_to(user: User):
    stmt = sa.select(Lesson)
    return stmt if user.is_vendor else stmt.where(Lesson.course_id.in_(_visible_course_ids(user)))


def quizzes_visible_to(user: User):
    stmt = sa.select(Quiz)
    if user.is_vendor:
        return stmt
    return stmt.where(Quiz.id.in_(sa.select(Course.quiz_id).where(Course.id.in_(_visible_course_ids(user)))))


def _owned_by(stmt, model, user: User):
    """Partner-owned training records: vendor staff see all, a partner admin the org's,
    a partner user their own."""
    if user.is_vendor:
        return stmt
    if user.role is Role.partner_admin:
        return stmt.where(model.org_id == user.org_id)
    return stmt.where(model.user_id == user.id)


def attempts_visible_to(user: User):
    return _owned_by(sa.select(Attempt), Attempt, user)


def certificates_visible_to(user: User):
    return _owned_by(sa.select(Certificate), Certificate, user)


def get_path(user: User, path_id: int) -> LearningPath:
    return get_or_404(paths_visible_to(user), LearningPath, path_id)


def get_course(user: User, course_id: int) -> Course:
    return get_or_404(courses_visible_to(user), Course, course_id)


def get_lesson(user: User, lesson_id: int) -> Lesson:
    return get_or_404(lessons_visible_to(user), Lesson, lesson_id)


def get_quiz(user: User, quiz_id: int) -> Quiz:
    return get_or_404(quizzes_visible_to(user), Quiz, quiz_id)


def get_attempt(user: User, attempt_id: int) -> Attempt:
    return get_or_404(attempts_visible_to(user), Attempt, attempt_id)


def get_certificate(user: User, certificate_id: int) -> Certificate:
    return get_or_404(certificates_visible_to(user), Certificate, certificate_id)


def paths_of_course(user: User, course: Course) -> list[LearningPath]:
    stmt = paths_visible_to(user).join(PathCourse, PathCourse.path_id == LearningPath.id).where(
        PathCourse.course_id == course.id).order_by(LearningPath.title)
    return db.session.scalars(stmt).all()


def lesson_assets_for(user: User, lesson: Lesson) -> list:
    """The lesson's library assets that this user may see (the library's own scoped query)."""
    ids = sa.select(lesson_assets.c.asset_id).where(lesson_assets.c.lesson_id == lesson.id)
    return db.session.scalars(assets_for(user).where(Asset.id.in_(ids)).order_by(Asset.title)).all()


def verify(code: str) -> Certificate | None:
    """The certificate with this public code, or None (the caller answers a plain 404)."""
    code = (code or "").strip().upper()
    if not CODE_SHAPE.fullmatch(code):  # also keeps NUL bytes and the like away from the database
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


# --- what a learner has done ---------------------------------------------------------------


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


def _with_contents(stmt):
    return stmt.options(
        selectinload(LearningPath.path_courses).selectinload(PathCourse.course).selectinload(Course.lessons),
        selectinload(LearningPath.path_courses).selectinload(PathCourse.course).selectinload(Course.quiz),
    )


def my_training(user: User) -> tuple[list[PathProgress], list[LearningPath]]:
    """(the paths the user is enrolled in, with progress; the other paths open to them)."""
    facts = learner(user)
    paths = db.session.scalars(_with_contents(paths_visible_to(user)).order_by(LearningPath.title)).all()
    now = clock.now()
    mine = [path_progress(facts, path, now) for path in paths if path.id in facts.enrolled]
    mine.sort(key=lambda p: facts.enrolled[p.path.id], reverse=True)
    return mine, [path for path in paths if path.id not in facts.enrolled]


def room_paths(user: User, persona: Persona, limit: int = 3) -> tuple[list[PathProgress], int]:
    """For the room's training card: my paths for this room, and how many others are open."""
    facts = learner(user)
    paths = db.session.scalars(_with_contents(paths_visible_to(user, persona)).order_by(LearningPath.title)).all()
    now = clock.now()
    mine = [path_progress(facts, path, now) for path in paths if path.id in facts.enrolled]
    mine.sort(key=lambda p: (p.complete and not p.renewal_due, -p.percent))
    return mine[:limit], len(paths) - len(mine)


def my_certificates(user: User) -> list[Certificate]:
    stmt = sa.select(Certificate).where(Certificate.user_id == user.id).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc())
    return db.session.scalars(stmt).all()


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
    return _certify_paths_of(user, lesson.course)


# --- quizzes --------------------------------------------------------------------------------


@dataclass
class QuizState:
    quiz: Quiz
    attempts: list[Attempt]  # this cycle's, oldest first
    in_progress: Attempt | None
    passed: bool  # nothing more to do for now
    lessons_left: int
    now: datetime
    last: Attempt | None = None  # the newest graded attempt of any cycle
    granted: int = 0  # extra attempts vendor staff gave in this cycle

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def left(self) -> int:
        return max(self.quiz.max_attempts + self.granted - self.used, 0)

    @property
    def next_allowed_at(self) -> datetime | None:
        graded = [a for a in self.attempts if a.submitted_at]
        if not graded or not self.quiz.cooldown_minutes:
            return None
        at = graded[-1].submitted_at + timedelta(minutes=self.quiz.cooldown_minutes)
        return at if at > self.now else None

    @property
    def blocked(self) -> str | None:
        """Why a new attempt may not start now, or None."""
        if self.passed:
            return "You have passed this quiz."
        if not self.quiz.questions:
            return "This quiz has no questions yet."
        if self.lessons_left:
            return f"Complete the course's lessons first ({self.lessons_left} to go)."
        if self.left <= 0:
            return "You have used all your attempts. Ask your channel manager for another."
        if self.next_allowed_at:
            return f"You can try again from {self.next_allowed_at:%d %b %Y %H:%M} UTC."
        return None


def _lock_user(user: User) -> None:
    """Serialise one person's quiz actions (two tabs, a double click): on Postgres a row lock,
    on SQLite the write lock every POST already holds (BEGIN IMMEDIATE)."""
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())


def _cycle_start(user: User, quiz: Quiz) -> tuple[int, bool]:
    """(the attempt id after which attempts count, whether the quiz is done for now)."""
    exam_paths = sa.select(LearningPath.id).where(LearningPath.exam_id == quiz.id)
    latest = db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user.id, Certificate.path_id.in_(exam_paths)).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()).limit(1))
    if latest is None:
        return 0, False
    progress = PathProgress(latest.path, [], True, latest, clock.now())
    return (latest.attempt_id or 0), not progress.renewal_due


def quiz_state(user: User, quiz: Quiz) -> QuizState:
    now = clock.now()
    start, certified = _cycle_start(user, quiz)
    attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)
                                  .order_by(Attempt.id)).all()
    cycle = [a for a in attempts if a.id > start]
    in_progress = next((a for a in cycle if a.submitted_at is None), None)
    passed = certified or any(a.passed for a in cycle)
    lessons_left = 0
    if quiz.course is not None:
        done = set(db.session.scalars(sa.select(LessonCompletion.lesson_id).where(
            LessonCompletion.user_id == user.id,
            LessonCompletion.lesson_id.in_([lesson.id for lesson in quiz.course.lessons]))))
        lessons_left = sum(1 for lesson in quiz.course.lessons if lesson.id not in done)
    graded = [a for a in attempts if a.submitted_at]
    cycle_from = next((a.submitted_at for a in attempts if a.id == start), None)
    granted = db.session.scalar(sa.select(sa.func.count(AttemptGrant.id)).where(
        AttemptGrant.user_id == user.id, AttemptGrant.quiz_id == quiz.id,
        AttemptGrant.granted_at > cycle_from if cycle_from else sa.true()))
    return QuizState(quiz, cycle, in_progress, passed, lessons_left, now, graded[-1] if graded else None, granted)


def out_of_attempts(person: User) -> list[QuizState]:
    """The quizzes this person has used up every attempt at without passing."""
    quiz_ids = db.session.scalars(sa.select(Attempt.quiz_id).where(Attempt.user_id == person.id).distinct()).all()
    quizzes = db.session.scalars(sa.select(Quiz).where(Quiz.id.in_(quiz_ids)).order_by(Quiz.id)).all()
    states = [quiz_state(person, quiz) for quiz in quizzes]
    return [state for state in states if not state.passed and not state.in_progress and state.left == 0]


def grant_attempt(actor: User, person: User, quiz: Quiz) -> None:
    """One more attempt for someone whose attempts ran out (vendor staff decide)."""
    _lock_user(person)
    state = quiz_state(person, quiz)
    if state.passed or state.in_progress or state.left > 0:
        raise TrainingError(f"{person.name} can still take this quiz: no extra attempt is needed.")
    grant = AttemptGrant(user_id=person.id, quiz_id=quiz.id, granted_by_id=actor.id)
    db.session.add(grant)
    db.session.flush()
    title = quiz.course.title if quiz.course else "the quiz"
    audit.record(actor, "training.attempt_granted", grant, f"One more attempt at {title} for {person.email}",
                 org=person.org)
    notify(person, f"You can take the {title} quiz once more",
           f"{actor.name} gave you another attempt at the {title} quiz.", "training.quiz", quiz_id=quiz.id)


def start_attempt(user: User, quiz: Quiz, rng: random.Random | None = None) -> Attempt:
    """Draw the questions for a new attempt (or return the one in progress)."""
    if user.is_vendor:
        raise TrainingError("Vendor staff preview quizzes; they do not take them.")
    _lock_user(user)
    state = quiz_state(user, quiz)
    if state.in_progress:
        return state.in_progress
    if state.blocked:
        raise TrainingError(state.blocked)
    rng = rng or random.SystemRandom()
    questions = list(quiz.questions)
    drawn = rng.sample(questions, quiz.questions_per_attempt())  # random order
    if not quiz.shuffle:
        drawn.sort(key=lambda q: (q.position, q.id))
    attempt = Attempt(user_id=user.id, org_id=user.org_id, quiz_id=quiz.id, question_count=len(drawn),
                      answers=[AttemptAnswer(question_id=q.id, position=i) for i, q in enumerate(drawn)])
    db.session.add(attempt)
    db.session.flush()
    return attempt


def submit_attempt(user: User, attempt: Attempt, answers: dict[int, list[int]]) -> list[Certificate]:
    """Grade an attempt on the server; `answers` maps question id to chosen option ids.
    Returns the certificates this pass earned."""
    _lock_user(user)
    db.session.refresh(attempt)
    if attempt.user_id != user.id:
        raise TrainingError("Only the person taking a quiz can submit it.")
    if attempt.submitted_at is not None:
        raise TrainingError("This attempt was already submitted.")
    correct = 0
    for answer in attempt.answers:
        question = answer.question
        valid = {option.id for option in question.options}
        chosen = sorted(set(answers.get(question.id, ())) & valid)
        answer.chosen = chosen
        answer.correct = grading.is_correct(question.correct_ids, chosen, question.kind is QuestionKind.single)
        correct += answer.correct
    attempt.correct_count = correct
    attempt.score, attempt.passed = grading.score(correct, attempt.question_count, attempt.quiz.pass_mark)
    attempt.submitted_at = clock.now()
    db.session.flush()
    if not attempt.passed or attempt.quiz.course is None:
        return []
    return _certify_paths_of(user, attempt.quiz.course)


# --- certificates ---------------------------------------------------------------------------


def add_months(at: datetime, months: int) -> datetime:
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if db.session.scalar(sa.select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def _certify_paths_of(user: User, course: Course) -> list[Certificate]:
    paths = db.session.scalars(_with_contents(paths_visible_to(user)).join(
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


def issue_certificate(user: User, path: LearningPath, attempt: Attempt | None, issued_at: datetime | None = None,
                      code: str | None = None, tell: bool = True) -> Certificate:
    issued_at = issued_at or clock.now()
    renewal = db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
        Certificate.user_id == user.id, Certificate.path_id == path.id)) > 0
    certificate = Certificate(
        code=code or new_code(), user_id=user.id, org_id=user.org_id, path_id=path.id,
        attempt_id=attempt.id if attempt else None, holder_name=user.name, org_name=user.org.name,
        certification_name=path.certification_name, issued_at=issued_at,
        expires_at=add_months(issued_at, path.validity_months) if path.validity_months else None,
    )
    db.session.add(certificate)
    db.session.flush()
    until = f"valid until {certificate.expires_at:%d %b %Y}" if certificate.expires_at else "with no expiry"
    audit.record(user, "certificate.renew" if renewal else "certificate.issue", certificate,
                 f"{user.name} earned “{certificate.certification_name}” ({until})", org=user.org,
                 after={"code": certificate.code, "path": path.title})
    if tell:
        notify(user, f"You are certified: {certificate.certification_name}",
               f"Congratulations! You hold “{certificate.certification_name}”, {until}. "
               f"Verification code: {certificate.code}.", "training.path", path_id=path.id)
    return certificate


def revoke_certificate(actor: User, certificate: Certificate, reason: str) -> None:
    if certificate.revoked_at is not None:
        raise TrainingError("This certificate is already revoked.")
    if not reason.strip():
        raise TrainingError("Give a reason; the holder will see it.")
    certificate.revoked_at, certificate.revoked_reason = clock.now(), reason.strip()[:500]
    audit.record(actor, "certificate.revoke", certificate,
                 f"Revoked “{certificate.certification_name}” of {certificate.holder_name}: {certificate.revoked_reason}",
                 org=certificate.org)
    notify(certificate.user, f"Certificate revoked: {certificate.certification_name}",
           f"Your certificate “{certificate.certification_name}” ({certificate.code}) was revoked.\n"
           f"Reason: {certificate.revoked_reason}", "training.path", path_id=certificate.path_id)


def _superseded():
    newer = aliased(Certificate)
    return sa.exists().where(newer.user_id == Certificate.user_id, newer.path_id == Certificate.path_id,
                             newer.issued_at > Certificate.issued_at, newer.revoked_at.is_(None))


def send_reminders() -> int:
    """`cli.py tick`: remind holders 60 and 14 days before a certification expires, each
    reminder once (the nearer one first, so a late first run sends only that one)."""
    now, sent = clock.now(), 0
    for days in sorted(REMINDER_DAYS):
        due = db.session.scalars(
            sa.select(Certificate).join(User, User.id == Certificate.user_id).where(
                Certificate.revoked_at.is_(None), Certificate.expires_at > now,
                Certificate.expires_at <= now + timedelta(days=days),
                sa.or_(Certificate.reminded_days.is_(None), Certificate.reminded_days > days),
                User.active.is_(True), sa.not_(_superseded()),
            ).order_by(Certificate.id)).all()
        for certificate in due:
            certificate.reminded_days = days
            left = (certificate.expires_at.date() - now.date()).days
            notify(certificate.user, f"Your certification expires in {left} days: {certificate.certification_name}",
                   f"“{certificate.certification_name}” expires on {certificate.expires_at:%d %b %Y}. "
                   "Take the recertification exam to keep it.", "training.path", path_id=certificate.path_id)
            sent += 1
    return sent


# --- the partner admin's team ---------------------------------------------------------------


@dataclass
class Member:
    user: User
    paths: list[PathProgress]
    certificates: list[Certificate]  # the newest per path


def team_people(viewer: User, org: Organization):
    """The org's active people, as the viewer may see them (the route paginates)."""
    return people_visible_to(viewer).where(User.org_id == org.id, User.active.is_(True)).order_by(User.name, User.id)


def members(people: list[User]) -> list[Member]:
    """Each person's enrolled paths with progress, and their newest certificate per path."""
    facts = learners(people)
    wanted = {pid for f in facts.values() for pid in f.enrolled}
    paths = {p.id: p for p in db.session.scalars(_with_contents(sa.select(LearningPath))
                                                 .where(LearningPath.id.in_(wanted))).all()}
    now = clock.now()
    result = []
    for person in people:
        f = facts[person.id]
        newest = {}
        for certificate in f.certificates:
            newest.setdefault(certificate.path_id, certificate)
        result.append(Member(person, [path_progress(f, paths[pid], now) for pid in f.enrolled if pid in paths],
                             list(newest.values())))
    return result


def expiring(org: Organization, within: timedelta = EXPIRING_SOON) -> list[Certificate]:
    """The org's certifications that lapse within `within`, or lapsed and were not renewed."""
    now = clock.now()
    stmt = sa.select(Certificate).join(User, User.id == Certificate.user_id).where(
        Certificate.org_id == org.id, Certificate.revoked_at.is_(None), Certificate.expires_at.is_not(None),
        Certificate.expires_at <= now + within, User.active.is_(True), sa.not_(_superseded()),
    ).order_by(Certificate.expires_at)
    return db.session.scalars(stmt).all()


# --- tier requirements ----------------------------------------------------------------------


@dataclass
class Standing:
    requirement: TierRequirement
    have: int
    holders: list[str]  # names, of the org's own people only

    @property
    def needed(self) -> int:
        return self.requirement.count

    @property
    def met(self) -> bool:
        return self.have >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.have, 0)


def _valid_now(now: datetime):
    return sa.and_(Certificate.revoked_at.is_(None),
                   sa.or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def standing(org: Organization, tier: Tier) -> list[Standing]:
    """Where `org` stands against `tier`'s requirements: its own certified people only."""
    requirements = db.session.scalars(sa.select(TierRequirement).options(selectinload(TierRequirement.path))
                                      .where(TierRequirement.tier == tier)).all()
    now = clock.now()
    result = []
    for requirement in sorted(requirements, key=lambda r: r.path.certification_name or r.path.title):
        names = db.session.scalars(
            sa.select(User.name).where(User.org_id == org.id, User.active.is_(True), User.id.in_(
                sa.select(Certificate.user_id).where(Certificate.org_id == org.id,
                                                     Certificate.path_id == requirement.path_id, _valid_now(now))))
            .order_by(User.name)).all()
        result.append(Standing(requirement, len(names), list(names)))
    return result


def program(org: Organization) -> dict:
    """The org's standing for its tier and for the next tier up."""
    tiers = list(Tier)
    current = org.tier
    following = tiers[current.rank + 1] if current and current.rank + 1 < len(tiers) else None
    return {"tier": current, "current": standing(org, current) if current else [],
            "next_tier": following, "next": standing(org, following) if following else []}


def requirements():
    return sa.select(TierRequirement).options(selectinload(TierRequirement.path)).join(
        LearningPath, LearningPath.id == TierRequirement.path_id)


def set_requirement(actor: User, tier: Tier, path: LearningPath, count: int) -> TierRequirement:
    if not path.certifies:
        raise TrainingError("That path grants no certification: give it a certification name and a final exam.")
    requirement = db.session.scalar(sa.select(TierRequirement).where(TierRequirement.tier == tier,
                                                                    TierRequirement.path_id == path.id))
    before = {"count": requirement.count} if requirement else None
    if requirement is None:
        requirement = TierRequirement(tier=tier, path_id=path.id, path=path)
        db.session.add(requirement)
    requirement.count = count
    db.session.flush()
    audit.record(actor, "training.requirement", requirement,
                 f"{tier.label} requires {count} × “{path.certification_name}”", before=before,
                 after={"count": count}, org=actor.org)
    return requirement


def delete_requirement(actor: User, requirement: TierRequirement) -> None:
    audit.record(actor, "training.requirement_delete", requirement,
                 f"{requirement.tier.label} no longer requires “{requirement.path.certification_name}”", org=actor.org)
    db.session.delete(requirement)


# --- the vendor's statistics ----------------------------------------------------------------


@dataclass
class CourseStats:
    course: Course
    learners: int
    completed: int
    attempts: int
    passed: int

    @property
    def completion_rate(self) -> int | None:
        return self.completed * 100 // self.learners if self.learners else None

    @property
    def pass_rate(self) -> int | None:
        return self.passed * 100 // self.attempts if self.attempts else None


def course_stats() -> list[CourseStats]:
    courses = db.session.scalars(sa.select(Course).options(selectinload(Course.lessons)).order_by(Course.title)).all()
    done = defaultdict(dict)  # course id -> user id -> lessons done
    for course_id, user_id, count in db.session.execute(
            sa.select(Lesson.course_id, LessonCompletion.user_id, sa.func.count())
            .join(Lesson, Lesson.id == LessonCompletion.lesson_id).group_by(Lesson.course_id, LessonCompletion.user_id)):
        done[course_id][user_id] = count
    tried = defaultdict(set)  # quiz id -> user ids
    passed_by = defaultdict(set)
    attempts, passes = defaultdict(int), defaultdict(int)
    for quiz_id, user_id, passed, count in db.session.execute(
            sa.select(Attempt.quiz_id, Attempt.user_id, Attempt.passed, sa.func.count())
            .where(Attempt.submitted_at.is_not(None)).group_by(Attempt.quiz_id, Attempt.user_id, Attempt.passed)):
        tried[quiz_id].add(user_id)
        attempts[quiz_id] += count
        if passed:
            passed_by[quiz_id].add(user_id)
            passes[quiz_id] += count
    result = []
    for course in courses:
        total = len(course.lessons)
        people = set(done[course.id]) | tried.get(course.quiz_id, set())
        complete = {u for u in people if done[course.id].get(u, 0) >= total
                    and (course.quiz_id is None or u in passed_by.get(course.quiz_id, set()))}
        result.append(CourseStats(course, len(people), len(complete), attempts.get(course.quiz_id, 0),
                                  passes.get(course.quiz_id, 0)))
    return result


@dataclass
class PartnerStats:
    org_id: int
    name: str
    tier: Tier | None
    learners: int
    lessons_done: int
    attempts: int
    passed: int
    certified: int

    @property
    def pass_rate(self) -> int | None:
        return self.passed * 100 // self.attempts if self.attempts else None


def partners_for_stats():
    return sa.select(Organization).where(Organization.kind == OrgKind.partner).order_by(Organization.name)


def partner_stats(orgs: list[Organization]) -> list[PartnerStats]:
    ids = [org.id for org in orgs]
    learners_by = dict(db.session.execute(
        sa.select(User.org_id, sa.func.count(sa.distinct(Enrollment.user_id))).join(User, User.id == Enrollment.user_id)
        .where(User.org_id.in_(ids)).group_by(User.org_id)).all())
    lessons_by = dict(db.session.execute(
        sa.select(User.org_id, sa.func.count(LessonCompletion.id)).join(User, User.id == LessonCompletion.user_id)
        .where(User.org_id.in_(ids)).group_by(User.org_id)).all())
    attempts_by = {org_id: (total, passed or 0) for org_id, total, passed in db.session.execute(
        sa.select(Attempt.org_id, sa.func.count(Attempt.id), sa.func.sum(sa.case((Attempt.passed.is_(True), 1), else_=0)))
        .where(Attempt.org_id.in_(ids), Attempt.submitted_at.is_not(None)).group_by(Attempt.org_id))}
    certified_by = dict(db.session.execute(
        sa.select(Certificate.org_id, sa.func.count(sa.distinct(Certificate.user_id)))
        .where(Certificate.org_id.in_(ids), _valid_now(clock.now())).group_by(Certificate.org_id)).all())
    return [PartnerStats(org.id, org.name, org.tier, learners_by.get(org.id, 0), lessons_by.get(org.id, 0),
                         *attempts_by.get(org.id, (0, 0)), certified_by.get(org.id, 0)) for org in orgs]


@dataclass
class QuestionStats:
    question: Question
    course_title: str
    answered: int
    wrong: int

    @property
    def wrong_share(self) -> int:
        return self.wrong * 100 // self.answered if self.answered else 0


def question_stats(limit: int | None = None) -> list[QuestionStats]:
    """Questions by the share of wrong answers, hardest first (graded answers only)."""
    wrong = sa.func.sum(sa.case((AttemptAnswer.correct.is_(False), 1), else_=0))
    stmt = (sa.select(Question, Course.title, sa.func.count(AttemptAnswer.id), wrong)
            .join(AttemptAnswer, AttemptAnswer.question_id == Question.id)
            .join(Course, Course.quiz_id == Question.quiz_id)
            .where(AttemptAnswer.correct.is_not(None))
            .group_by(Question.id, Course.title))
    rows = [QuestionStats(q, title, answered, wrong or 0) for q, title, answered, wrong in db.session.execute(stmt)]
    rows.sort(key=lambda r: (-r.wrong_share, -r.answered, r.question.id))
    return rows[:limit] if limit else rows


# --- the vendor's editor --------------------------------------------------------------------


def all_courses():
    return sa.select(Course).order_by(Course.title, Course.id)


def all_paths():
    return sa.select(LearningPath).options(selectinload(LearningPath.audience).selectinload(Audience.orgs)).order_by(
        LearningPath.title, LearningPath.id)


def save_course(actor: User, course: Course | None, title: str, summary: str) -> Course:
    before = {"title": course.title, "summary": course.summary} if course else None
    if course is None:
        course = Course()
        db.session.add(course)
    course.title, course.summary = title, summary
    db.session.flush()
    audit.record(actor, "course.update" if before else "course.create", course, f"Course “{title}”",
                 before=before, after={"title": title, "summary": summary}, org=actor.org)
    return course


def delete_course(actor: User, course: Course) -> None:
    taken = db.session.scalar(sa.select(sa.func.count()).select_from(LessonCompletion).join(
        Lesson, Lesson.id == LessonCompletion.lesson_id).where(Lesson.course_id == course.id))
    if course.quiz_id:
        taken += db.session.scalar(sa.select(sa.func.count(Attempt.id)).where(Attempt.quiz_id == course.quiz_id))
    if taken:
        raise TrainingError("People have started this course, so it keeps their history: "
                            "take it out of its paths instead.")
    for path in db.session.scalars(sa.select(LearningPath).where(LearningPath.exam_id == course.quiz_id)):
        path.exam_id = None
    audit.record(actor, "course.delete", course, f"Deleted course “{course.title}”", org=actor.org)
    db.session.delete(course)


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def save_lesson(actor: User, course: Course, lesson: Lesson | None, title: str, body: str, video_url: str | None,
                asset_ids: list[int]) -> Lesson:
    before = {"title": lesson.title} if lesson else None
    if lesson is None:
        lesson = Lesson(course=course, position=len(course.lessons))
        db.session.add(lesson)
    lesson.title, lesson.video_url = title, video_url
    lesson.set_body(body)
    lesson.assets = db.session.scalars(sa.select(Asset).where(Asset.id.in_(asset_ids))).all() if asset_ids else []
    db.session.flush()
    audit.record(actor, "lesson.update" if before else "lesson.create", lesson,
                 f"Lesson “{title}” of “{course.title}”", before=before, after={"title": title}, org=actor.org)
    return lesson


def delete_lesson(actor: User, lesson: Lesson) -> None:
    course = lesson.course
    audit.record(actor, "lesson.delete", lesson, f"Deleted lesson “{lesson.title}” of “{course.title}”",
                 org=actor.org)
    course.lessons.remove(lesson)
    db.session.delete(lesson)
    _renumber(course.lessons)


def _move(items: list, item, direction: str) -> None:
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)


def move_lesson(actor: User, lesson: Lesson, direction: str) -> None:
    lessons = list(lesson.course.lessons)
    _move(lessons, lesson, direction)
    audit.record(actor, "lesson.move", lesson, f"Moved lesson “{lesson.title}” {direction}", org=actor.org)


@dataclass
class QuizSettings:
    pass_mark: int
    max_attempts: int
    cooldown_minutes: int
    shuffle: bool
    draw_count: int | None


def save_quiz(actor: User, course: Course, settings: QuizSettings) -> Quiz:
    quiz = course.quiz
    before = _quiz_snapshot(quiz) if quiz else None
    if quiz is None:
        quiz = Quiz()
        course.quiz = quiz
    for name in ("pass_mark", "max_attempts", "cooldown_minutes", "shuffle", "draw_count"):
        setattr(quiz, name, getattr(settings, name))
    db.session.flush()
    audit.record(actor, "quiz.update" if before else "quiz.create", quiz, f"Quiz settings of “{course.title}”",
                 before=before, after=_quiz_snapshot(quiz), org=actor.org)
    return quiz


def _quiz_snapshot(quiz: Quiz) -> dict:
    return {"pass_mark": quiz.pass_mark, "max_attempts": quiz.max_attempts,
            "cooldown_minutes": quiz.cooldown_minutes, "shuffle": quiz.shuffle, "draw_count": quiz.draw_count}


@dataclass
class QuestionInput:
    kind: QuestionKind
    text: str
    explanation: str
    options: list[tuple[str, bool]]  # (text, correct), blanks removed


def save_question(actor: User, quiz: Quiz, question: Question | None, data: QuestionInput) -> Question:
    """Create or edit a question. Options keep their ids by position, so past attempts'
    answers still point at the same slots."""
    before = {"text": question.text} if question else None
    if question is None:
        question = Question(quiz=quiz, position=len(quiz.questions))
        db.session.add(question)
    question.kind, question.text, question.explanation = data.kind, data.text, data.explanation
    options = list(question.options)
    for position, (text, correct) in enumerate(data.options):
        if position < len(options):
            option = options[position]
        else:
            option = QuizOption(question=question)
            db.session.add(option)
        option.position, option.text, option.correct = position, text, correct
    for option in options[len(data.options):]:
        question.options.remove(option)
        db.session.delete(option)
    db.session.flush()
    audit.record(actor, "question.update" if before else "question.create", question,
                 f"Question “{data.text[:80]}”", before=before, after={"text": data.text}, org=actor.org)
    return question


def delete_question(actor: User, question: Question) -> None:
    quiz = question.quiz
    audit.record(actor, "question.delete", question, f"Deleted question “{question.text[:80]}”", org=actor.org)
    quiz.questions.remove(question)
    db.session.delete(question)
    _renumber(quiz.questions)


@dataclass
class PathInput:
    title: str
    summary: str
    published: bool
    certification_name: str | None
    validity_months: int | None
    exam_id: int | None
    audience: AudienceSpec


def save_path(actor: User, path: LearningPath | None, data: PathInput) -> LearningPath:
    before = _path_snapshot(path) if path else None
    if path is None:
        path = LearningPath(audience=Audience())
        db.session.add(path)
    if data.exam_id is not None and data.exam_id not in {c.quiz_id for c in path.courses}:
        raise TrainingError("The final exam must be the quiz of one of the path's courses.")
    path.title, path.summary, path.published = data.title, data.summary, data.published
    path.certification_name, path.validity_months = data.certification_name, data.validity_months
    path.exam_id = data.exam_id
    apply_audience(path.audience, data.audience)
    db.session.flush()
    audit.record(actor, "path.update" if before else "path.create", path, f"Learning path “{path.title}”",
                 before=before, after=_path_snapshot(path), org=actor.org)
    return path


def _path_snapshot(path: LearningPath) -> dict:
    return {"title": path.title, "published": path.published, "certification": path.certification_name,
            "validity_months": path.validity_months, "exam_id": path.exam_id,
            "audience": describe(path.audience), "courses": [c.title for c in path.courses]}


def delete_path(actor: User, path: LearningPath) -> None:
    if db.session.scalar(sa.select(Certificate.id).where(Certificate.path_id == path.id).limit(1)):
        raise TrainingError("People hold certificates from this path, so it stays: unpublish it instead.")
    audit.record(actor, "path.delete", path, f"Deleted learning path “{path.title}”", org=actor.org)
    db.session.delete(path)


def add_course_to_path(actor: User, path: LearningPath, course: Course) -> None:
    if any(pc.course_id == course.id for pc in path.path_courses):
        raise TrainingError(f"“{course.title}” is already in this path.")
    path.path_courses.append(PathCourse(course=course, course_id=course.id, position=len(path.path_courses)))
    if path.exam_id is None and course.quiz_id and path.certification_name:
        path.exam_id = course.quiz_id  # the last course's quiz is the natural final exam
    db.session.flush()
    audit.record(actor, "path.add_course", path, f"Added “{course.title}” to “{path.title}”", org=actor.org)


def remove_course_from_path(actor: User, path: LearningPath, course: Course) -> None:
    link = next((pc for pc in path.path_courses if pc.course_id == course.id), None)
    if link is None:
        raise TrainingError("That course is not in this path.")
    path.path_courses.remove(link)
    if path.exam_id is not None and path.exam_id == course.quiz_id:
        path.exam_id = None
    _renumber(path.path_courses)
    audit.record(actor, "path.remove_course", path, f"Removed “{course.title}” from “{path.title}”", org=actor.org)


def move_course_in_path(actor: User, path: LearningPath, course: Course, direction: str) -> None:
    link = next((pc for pc in path.path_courses if pc.course_id == course.id), None)
    if link is None:
        raise TrainingError("That course is not in this path.")
    _move(list(path.path_courses), link, direction)
    audit.record(actor, "path.move_course", path, f"Moved “{course.title}” {direction} in “{path.title}”",
                 org=actor.org)
