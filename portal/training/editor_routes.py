"""Training for the vendor: the course and path editor and statistics
(with CSV export)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.assets.models import Asset
from portal.assets.services import assets_for
from portal.core import clock
from portal.core.access import get_or_404, vendor_admin_required, vendor_required
from portal.core.models import Role
from portal.extensions import db
from portal.training import bp, editor, page_number, stats
from portal.training.forms import (
    AddCourseForm, CourseForm, LessonForm, MoveForm, PathForm, QuestionForm, QuizForm,
)
from portal.training.models import Course, LearningPath, Lesson, PathCourse, Question, Quiz
from portal.web.actions import domain_action
from portal.web.csv_export import csv_download, safe_cell
from portal.web.htmx import render
from portal.web.pagination import paginate


@bp.get("/training/manage")
@vendor_required
def manage():
    courses = paginate(editor.all_courses().options(selectinload(Course.lessons), selectinload(Course.quiz)),
                       page_number())
    paths = db.session.scalars(editor.all_paths().options(selectinload(LearningPath.path_courses))).all()
    return render("training/manage.html", courses=courses, paths=paths,
                  admin=current_user.role is Role.admin)


def _course(course_id: int) -> Course:
    return get_or_404(editor.all_courses(), Course, course_id)


@bp.route("/training/manage/courses/new", methods=["GET", "POST"])
@vendor_admin_required
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        with domain_action():
            found = editor.save_course(current_user, None, form.to_input())
        flash("Course created. Add its lessons and a quiz.")
        return redirect(url_for("training.edit_course", course_id=found.id), 303)
    return render("training/course_form.html", form=form, course=None, status=422 if form.errors else 200)


@bp.route("/training/manage/courses/<int:course_id>", methods=["GET", "POST"])
@vendor_admin_required
def edit_course(course_id: int):
    found = _course(course_id)
    form = CourseForm(obj=found)
    if form.validate_on_submit():
        with domain_action():
            editor.save_course(current_user, found, form.to_input())
        flash("Course saved.")
        return redirect(url_for("training.edit_course", course_id=found.id), 303)
    return _course_editor(found, form=form, status=422 if form.errors else 200)


def _course_editor(found: Course, form=None, quiz_form=None, status: int = 200):
    if quiz_form is None:
        quiz_form = QuizForm(obj=found.quiz) if found.quiz else QuizForm()
    return render("training/course_edit.html", course=found, form=form or CourseForm(obj=found), quiz_form=quiz_form,
                  status=status,
                  paths=db.session.scalars(sa.select(LearningPath).join(PathCourse, PathCourse.path_id == LearningPath.id)
                                           .where(PathCourse.course_id == found.id)
                                           .order_by(LearningPath.title)).all())


@bp.post("/training/manage/courses/<int:course_id>/delete")
@vendor_admin_required
def delete_course(course_id: int):
    found = _course(course_id)
    return _delete(editor.delete_course, found, f"Course “{found.title}” deleted.",
                   url_for("training.edit_course", course_id=course_id))


def _delete(delete, found, done: str, refused_url: str, done_url: str | None = None):
    """Delete an editor item after its confirmation, then go to `done_url` (the manage
    page by default); a refusal (it is in use) goes back to `refused_url` with the reason."""
    with domain_action() as outcome:
        delete(current_user, found)
    if not outcome.ok:
        return redirect(refused_url, 303)
    flash(done)
    return redirect(done_url or url_for("training.manage"), 303)


@bp.post("/training/manage/courses/<int:course_id>/quiz")
@vendor_admin_required
def edit_quiz(course_id: int):
    found = _course(course_id)
    form = QuizForm()
    if form.validate_on_submit():
        with domain_action():
            editor.save_quiz(current_user, found, form.to_input())
        flash("Quiz settings saved.")
        return redirect(url_for("training.edit_course", course_id=course_id) + "#quiz", 303)
    return _course_editor(found, quiz_form=form, status=422)


def _lesson_form(found: Lesson | None) -> LessonForm:
    form = LessonForm(obj=found)
    form.set_asset_choices(db.session.scalars(assets_for(current_user).order_by(Asset.title).limit(1000)).all())
    if found and not form.is_submitted():
        form.asset_ids.data = [a.id for a in found.assets]
    return form


def _save_lesson(found_course: Course, found: Lesson | None):
    form = _lesson_form(found)
    if form.validate_on_submit():
        with domain_action():
            saved = editor.save_lesson(current_user, found_course, found, form.to_input())
        flash("Lesson saved.")
        return redirect(url_for("training.edit_course", course_id=saved.course_id) + "#lessons", 303)
    return render("training/lesson_form.html", form=form, course=found_course, lesson=found,
                  status=422 if form.errors else 200)


@bp.route("/training/manage/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
@vendor_admin_required
def new_lesson(course_id: int):
    return _save_lesson(_course(course_id), None)


def _lesson(lesson_id: int) -> Lesson:
    return get_or_404(sa.select(Lesson), Lesson, lesson_id)


@bp.route("/training/manage/lessons/<int:lesson_id>", methods=["GET", "POST"])
@vendor_admin_required
def edit_lesson(lesson_id: int):
    found = _lesson(lesson_id)
    return _save_lesson(found.course, found)


@bp.post("/training/manage/lessons/<int:lesson_id>/delete")
@vendor_admin_required
def delete_lesson(lesson_id: int):
    found = _lesson(lesson_id)
    lessons_url = url_for("training.edit_course", course_id=found.course_id) + "#lessons"
    return _delete(editor.delete_lesson, found, f"Lesson “{found.title}” deleted.", lessons_url, lessons_url)


@bp.post("/training/manage/lessons/<int:lesson_id>/move")
@vendor_admin_required
def move_lesson(lesson_id: int):
    found = _lesson(lesson_id)
    with domain_action():
        editor.move_lesson(current_user, found, MoveForm().to_input())
    return redirect(url_for("training.edit_course", course_id=found.course_id) + "#lessons", 303)


def _save_question(found_quiz: Quiz, found: Question | None):
    form = QuestionForm(obj=found)
    if found and not form.is_submitted():
        form.kind.data = found.kind.value
        form.fill_options(found)
    if form.validate_on_submit():
        with domain_action():
            editor.save_question(current_user, found_quiz, found, form.to_input())
        flash("Question saved.")
        return redirect(url_for("training.edit_course", course_id=found_quiz.course.id) + "#quiz", 303)
    return render("training/question_form.html", form=form, quiz=found_quiz, course=found_quiz.course,
                  question=found, status=422 if form.errors else 200)


@bp.route("/training/manage/quizzes/<int:quiz_id>/questions/new", methods=["GET", "POST"])
@vendor_admin_required
def new_question(quiz_id: int):
    found = get_or_404(sa.select(Quiz).where(Quiz.course.has()), Quiz, quiz_id)
    return _save_question(found, None)


def _question(question_id: int) -> Question:
    return get_or_404(sa.select(Question), Question, question_id)


@bp.route("/training/manage/questions/<int:question_id>", methods=["GET", "POST"])
@vendor_admin_required
def edit_question(question_id: int):
    found = _question(question_id)
    return _save_question(found.quiz, found)


@bp.post("/training/manage/questions/<int:question_id>/delete")
@vendor_admin_required
def delete_question(question_id: int):
    found = _question(question_id)
    quiz_url = url_for("training.edit_course", course_id=found.quiz.course.id) + "#quiz"
    return _delete(editor.delete_question, found, "Question deleted.", quiz_url, quiz_url)


def _path(path_id: int) -> LearningPath:
    return get_or_404(editor.all_paths(), LearningPath, path_id)


def _path_form(found: LearningPath | None) -> PathForm:
    form = PathForm(obj=found)
    form.set_exam_choices(found)
    form.audience.set_org_choices(current_user)
    if found and not form.is_submitted():
        form.audience.fill_from(found.audience)
        form.validity_months.data = str(found.validity_months) if found.validity_months else ""
        form.exam_id.data = found.exam_id
    return form


def _path_editor(found: LearningPath | None, form: PathForm, status: int = 200, add_form=None):
    add_form = add_form or AddCourseForm()
    in_path = {pc.course_id for pc in found.path_courses} if found else set()
    add_form.course_id.choices = [(c.id, c.title) for c in db.session.scalars(editor.all_courses())
                                  if c.id not in in_path]
    return render("training/path_form.html", form=form, path=found, add_form=add_form, status=status)


@bp.route("/training/manage/paths/new", methods=["GET", "POST"])
@vendor_admin_required
def new_path():
    return _save_path(None)


@bp.route("/training/manage/paths/<int:path_id>", methods=["GET", "POST"])
@vendor_admin_required
def edit_path(path_id: int):
    return _save_path(_path(path_id))


def _save_path(found: LearningPath | None):
    form = _path_form(found)
    if form.validate_on_submit():
        with domain_action(form, "exam_id") as outcome:
            saved = editor.save_path(current_user, found, form.to_input())
        if outcome.ok:
            flash("Path saved." if found else "Path created. Add its courses below.")
            return redirect(url_for("training.edit_path", path_id=saved.id), 303)
    return _path_editor(found, form, 422 if form.errors else 200)


@bp.post("/training/manage/paths/<int:path_id>/delete")
@vendor_admin_required
def delete_path(path_id: int):
    found = _path(path_id)
    return _delete(editor.delete_path, found, f"Path “{found.title}” deleted.",
                   url_for("training.edit_path", path_id=path_id))


@bp.post("/training/manage/paths/<int:path_id>/courses")
@vendor_admin_required
def add_path_course(path_id: int):
    found = _path(path_id)
    add_form = AddCourseForm()
    add_form.course_id.choices = [(c.id, c.title) for c in db.session.scalars(editor.all_courses())]
    if not add_form.validate_on_submit():
        return _path_editor(found, _path_form(found), 422, add_form=add_form)
    with domain_action():
        editor.add_course_to_path(current_user, found, _course(add_form.to_input()))
    return redirect(url_for("training.edit_path", path_id=path_id) + "#courses", 303)


def _path_course_action(path_id: int, course_id: int, action):
    found, found_course = _path(path_id), _course(course_id)
    with domain_action():
        action(found, found_course)
    return redirect(url_for("training.edit_path", path_id=path_id) + "#courses", 303)


@bp.post("/training/manage/paths/<int:path_id>/courses/<int:course_id>/move")
@vendor_admin_required
def move_path_course(path_id: int, course_id: int):
    direction = MoveForm().to_input()
    return _path_course_action(path_id, course_id,
                               lambda p, c: editor.move_course_in_path(current_user, p, c, direction))


@bp.post("/training/manage/paths/<int:path_id>/courses/<int:course_id>/remove")
@vendor_admin_required
def remove_path_course(path_id: int, course_id: int):
    return _path_course_action(path_id, course_id,
                               lambda p, c: editor.remove_course_from_path(current_user, p, c))


# --- statistics -------------------------------------------------------------------------------


@bp.get("/training/stats", endpoint="stats")
@vendor_required
def stats_page():
    partners = paginate(stats.partners_for_stats(), page_number())
    return render("training/stats.html", "partner_rows", courses=stats.course_stats(), partners=partners,
                  partner_rows=stats.partner_stats(list(partners.items)),
                  questions=stats.question_stats(limit=15))


STATS_KINDS = ("course", "partner", "question")


@bp.get("/training/stats.csv")
@vendor_required
def stats_csv():
    kind = request.args.get("by", "course")
    if kind not in STATS_KINDS:
        abort(404)
    if kind == "course":
        header = ("course_id", "course", "learners", "completed", "completion_rate_pct", "attempts", "passed",
                  "pass_rate_pct")
        rows = ((row.course.id, safe_cell(row.course.title), row.learners, row.completed,
                 _rate(row.completion_rate), row.attempts, row.passed, _rate(row.pass_rate))
                for row in stats.course_stats())
    elif kind == "partner":
        header = ("partner_id", "partner", "tier", "learners", "lessons_completed", "attempts", "passed",
                  "pass_rate_pct", "certified_people")
        orgs = db.session.scalars(stats.partners_for_stats()).all()
        rows = ((row.org_id, safe_cell(row.name), row.tier.value if row.tier else "", row.learners,
                 row.lessons_done, row.attempts, row.passed, _rate(row.pass_rate), row.certified)
                for row in stats.partner_stats(orgs))
    else:
        header = ("question_id", "course", "question", "answered", "wrong", "wrong_share_pct")
        rows = ((row.question.id, safe_cell(row.course_title), safe_cell(row.question.text), row.answered,
                 row.wrong, row.wrong_share) for row in stats.question_stats())
    return csv_download(f"training-{kind}s-{clock.now().strftime('%Y%m%d')}.csv", header, rows)


def _rate(value: int | None) -> str:
    return "" if value is None else str(value)
