"""The vendor's course and path editor: courses, lessons, quizzes and questions, learning
paths and their courses; every change audited."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.assets.models import Asset
from portal.core import audit
from portal.core.access import AudienceSpec, apply_audience, describe
from portal.core.models import Audience, User
from portal.extensions import db
from portal.training.errors import TrainingError
from portal.training.models import (
    Attempt, Certificate, Course, LearningPath, Lesson, LessonCompletion, PathCourse, Question, QuestionKind, Quiz,
    QuizOption,
)


def all_courses():
    return sa.select(Course).order_by(Course.title, Course.id)


def all_paths():
    return sa.select(LearningPath).options(selectinload(LearningPath.audience).selectinload(Audience.orgs)).order_by(
        LearningPath.title, LearningPath.id)


@dataclass
class CourseInput:
    title: str
    summary: str


def save_course(actor: User, course: Course | None, data: CourseInput) -> Course:
    before = {"title": course.title, "summary": course.summary} if course else None
    if course is None:
        course = Course()
        db.session.add(course)
    course.title, course.summary = data.title, data.summary
    db.session.flush()
    audit.record(actor, "course.update" if before else "course.create", course, f"Course “{data.title}”",
                 before=before, after={"title": data.title, "summary": data.summary}, org=actor.org)
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


@dataclass
class LessonInput:
    title: str
    body: str
    video_url: str | None
    asset_ids: list[int]


def save_lesson(actor: User, course: Course, lesson: Lesson | None, data: LessonInput) -> Lesson:
    before = {"title": lesson.title} if lesson else None
    if lesson is None:
        lesson = Lesson(course=course, position=len(course.lessons))
        db.session.add(lesson)
    lesson.title, lesson.video_url = data.title, data.video_url
    lesson.set_body(data.body)
    lesson.assets = (db.session.scalars(sa.select(Asset).where(Asset.id.in_(data.asset_ids))).all()
                     if data.asset_ids else [])
    db.session.flush()
    audit.record(actor, "lesson.update" if before else "lesson.create", lesson,
                 f"Lesson “{data.title}” of “{course.title}”", before=before, after={"title": data.title},
                 org=actor.org)
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
