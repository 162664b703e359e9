"""The vendor's training statistics: per course, per partner org, and the hardest questions."""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.core import clock
from portal.core.models import Organization, OrgKind, Tier, User
from portal.extensions import db
from portal.training.certificates import valid_now
from portal.training.models import Attempt, AttemptAnswer, Certificate, Course, Enrollment, Lesson, LessonCompletion, Question


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
        .where(Certificate.org_id.in_(ids), valid_now(clock.now())).group_by(Certificate.org_id)).all())
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
