"""Quizzes graded on the server: attempts per certification cycle, attempt limits (plus the
extra attempts vendor staff grant), cooldowns, question pools and shuffling."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.core import audit, clock
from portal.core.models import User
from portal.extensions import db
from portal.notifications.services import notify
from portal.training import grading
from portal.training.errors import TrainingError
from portal.training.models import (
    Attempt, AttemptAnswer, AttemptGrant, Certificate, LearningPath, LessonCompletion, QuestionKind, Quiz,
)
from portal.training.progress import PathProgress, certify_paths_of


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
    def last_from_an_earlier_cycle(self) -> bool:
        """The newest graded attempt is the one that earned a certification now expired or due
        for renewal: its "passed" says nothing about today."""
        return self.last is not None and not self.passed and self.last not in self.attempts

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
    return certify_paths_of(user, attempt.quiz.course)
