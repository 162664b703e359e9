"""Who sees which training: the one scoped query for learning paths (over the audience
engine), the courses, lessons and quizzes of those paths, and the partner-owned records
(attempts, certificates)."""
import sqlalchemy as sa

from portal.assets.models import Asset
from portal.assets.services import assets_for
from portal.core.access import get_or_404, visible
from portal.core.models import Persona, Role, User
from portal.extensions import db
from portal.training.models import (
    Attempt, Certificate, Course, LearningPath, Lesson, PathCourse, Quiz, lesson_assets,
)


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
