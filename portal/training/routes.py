"""Training: the trainee's paths, lessons and quizzes (graded on the server), certificates
(PDF and the public verification page), the partner admin's team and program standing,
the vendor's editor and statistics, and the rooms' training card."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.assets.models import Asset
from portal.assets.services import assets_for
from portal.core import clock
from portal.core.access import (
    describe, get_or_404, partner_admin_required, partners_visible_to, people_visible_to, public,
    vendor_admin_required, vendor_required,
)
from portal.core.models import Organization, Role, Tier, User
from portal.extensions import db
from portal.pdf import RenderFailed
from portal.storage import send_blob
from portal.training import certificate_pdfs, services
from portal.training.forms import (
    AddCourseForm, CourseForm, EmptyForm, LessonForm, PathForm, QuestionForm, QuizForm, RequirementForm, RevokeForm,
    answer_form, chosen_answers,
)
from portal.training.models import (
    Attempt, Certificate, Course, LearningPath, Lesson, PathCourse, Question, Quiz, TierRequirement,
)
from portal.training.services import TrainingError
from portal.web.csv_export import csv_download, safe_cell
from portal.web.htmx import is_partial, render
from portal.web.pagination import paginate
from portal.web.params import persona_or_404

bp = Blueprint("training", __name__)


def _page() -> int:
    return request.args.get("page", 1, type=int)


def _partner_only() -> None:
    """Taking training is for partners' people; vendor staff preview and manage it."""
    if current_user.is_vendor:
        abort(404)


# --- the trainee ----------------------------------------------------------------------------


@bp.get("/training")
def index():
    if current_user.is_vendor:
        return redirect(url_for("training.manage"), 303)
    mine, available = services.my_training(current_user)
    return render("training/index.html", mine=mine, available=available,
                  certificates=services.my_certificates(current_user), now=clock.now(),
                  renewal_window=services.RENEWAL_WINDOW)


@bp.get("/training/paths/<int:path_id>")
def path(path_id: int):
    learning_path = services.get_path(current_user, path_id)
    facts = services.learner(current_user)
    return render("training/path.html", path=learning_path, progress=services.path_progress(facts, learning_path),
                  form=EmptyForm(), describe=describe, now=clock.now())


@bp.post("/training/paths/<int:path_id>/enroll")
def enroll(path_id: int):
    _partner_only()
    learning_path = services.get_path(current_user, path_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.enroll(current_user, learning_path)
    db.session.commit()
    flash(f"You started “{learning_path.title}”. Good luck!")
    return redirect(url_for("training.path", path_id=path_id), 303)


@bp.get("/training/courses/<int:course_id>")
def course(course_id: int):
    found = services.get_course(current_user, course_id)
    progress = services.course_progress(services.learner(current_user), found)
    return render("training/course.html", course=found, progress=progress,
                  done=services.learner(current_user).done_lessons,
                  paths=services.paths_of_course(current_user, found))


@bp.get("/training/lessons/<int:lesson_id>")
def lesson(lesson_id: int):
    found = services.get_lesson(current_user, lesson_id)
    return _lesson_page(found)


def _lesson_page(found: Lesson, block: str | None = None):
    lessons = found.course.lessons
    index_of = lessons.index(found)
    return render("training/lesson.html", block, lesson=found, course=found.course,
                  previous=lessons[index_of - 1] if index_of else None,
                  following=lessons[index_of + 1] if index_of + 1 < len(lessons) else None,
                  done=not current_user.is_vendor and services.is_lesson_done(current_user, found),
                  assets=services.lesson_assets_for(current_user, found), form=EmptyForm())


@bp.post("/training/lessons/<int:lesson_id>/complete")
def complete_lesson(lesson_id: int):
    _partner_only()
    found = services.get_lesson(current_user, lesson_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    issued = services.complete_lesson(current_user, found)
    db.session.commit()
    for certificate in issued:
        flash(f"Certified: {certificate.certification_name}!")
    if is_partial():
        return _lesson_page(found, "lesson_status")
    flash("Lesson marked complete.")
    return redirect(url_for("training.lesson", lesson_id=lesson_id), 303)


@bp.get("/training/quizzes/<int:quiz_id>")
def quiz(quiz_id: int):
    found = services.get_quiz(current_user, quiz_id)
    return _quiz_page(found)


def _quiz_page(found: Quiz, form=None, result: Attempt | None = None, status: int = 200, block: str | None = None):
    state = None if current_user.is_vendor else services.quiz_state(current_user, found)
    attempt = state.in_progress if state else None
    if attempt is not None and form is None:
        form = answer_form(attempt, formdata=None)
    earned = []
    if result is not None and result.passed:
        earned = db.session.scalars(sa.select(Certificate).where(Certificate.attempt_id == result.id)).all()
    return render("training/quiz.html", block, quiz=found, course=found.course, state=state, attempt=attempt,
                  form=form, result=result, earned=earned, status=status,
                  reveal=result is not None and _reveal(result, state))


def _reveal(attempt: Attempt, state) -> bool:
    """Show which options were right once the trainee passed or has no attempts left;
    until then a result names the wrong answers and explains, without the key."""
    if state is None:  # someone else's attempt: the vendor sees the key, a partner admin does not
        return current_user.is_vendor
    return bool(attempt.passed) or state.left == 0 or state.passed


@bp.post("/training/quizzes/<int:quiz_id>/start")
def start_quiz(quiz_id: int):
    _partner_only()
    found = services.get_quiz(current_user, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.start_attempt(current_user, found)
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _quiz_page(found, block="quiz") if is_partial() else redirect(url_for("training.quiz", quiz_id=quiz_id), 303)
    db.session.commit()
    if is_partial():
        return _quiz_page(found, block="quiz")
    return redirect(url_for("training.quiz", quiz_id=quiz_id), 303)


@bp.get("/training/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    found = services.get_attempt(current_user, attempt_id)
    if not found.is_graded:
        if found.user_id != current_user.id:
            abort(404)  # an unsubmitted sitting is the trainee's own business
        return redirect(url_for("training.quiz", quiz_id=found.quiz_id), 303)
    own = found.user_id == current_user.id
    state = services.quiz_state(current_user, found.quiz) if own else None
    return render("training/attempt.html", attempt=found, quiz=found.quiz, course=found.quiz.course, own=own,
                  reveal=_reveal(found, state), state=state)


@bp.post("/training/attempts/<int:attempt_id>")
def submit_attempt(attempt_id: int):
    _partner_only()
    found = services.get_attempt(current_user, attempt_id)
    if found.user_id != current_user.id:
        abort(404)
    quiz_ = found.quiz
    if found.is_graded:
        flash("This attempt was already submitted; here is its result.", "error")
        return redirect(url_for("training.attempt", attempt_id=attempt_id), 303)
    form = answer_form(found, formdata=request.form)
    if not form.validate_on_submit():
        return _quiz_page(quiz_, form=form, status=422, block="quiz")
    try:
        issued = services.submit_attempt(current_user, found, chosen_answers(form, found))
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("training.quiz", quiz_id=quiz_.id), 303)
    db.session.commit()
    for certificate in issued:
        flash(f"Certified: {certificate.certification_name}! Download your certificate below.")
    if is_partial():
        return _quiz_page(quiz_, result=found, block="quiz")
    return redirect(url_for("training.attempt", attempt_id=attempt_id), 303)


# --- certificates ---------------------------------------------------------------------------


@bp.get("/training/certificates/<int:certificate_id>.pdf")
def certificate_pdf(certificate_id: int):
    certificate = services.get_certificate(current_user, certificate_id)
    code = certificate.code
    try:
        sha = certificate_pdfs.certificate_pdf(certificate)
    except RenderFailed as error:
        abort(503, description=str(error))
    db.session.commit()
    response = send_blob(sha, mimetype="application/pdf", etag=False, max_age=0)
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{code}.pdf"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/verify/<code>")
@public
def verify(code: str):
    certificate = services.verify(code)
    if certificate is None:
        abort(404)
    response = render("training/verify.html", certificate=certificate, status_now=certificate.status_at(clock.now()))
    response.headers["X-Robots-Tag"] = "noindex"
    response.cache_control.no_store = True
    return response


@bp.post("/training/certificates/<int:certificate_id>/revoke")
@vendor_admin_required
def revoke_certificate(certificate_id: int):
    certificate = services.get_certificate(current_user, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Give a reason.", "error")
        return redirect(url_for("training.member", user_id=certificate.user_id), 303)
    try:
        services.revoke_certificate(current_user, certificate, form.reason.data)
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Certificate {certificate.code} revoked.")
    return redirect(url_for("training.member", user_id=certificate.user_id), 303)


# --- the room card ----------------------------------------------------------------------------


@bp.get("/rooms/<persona>/training")
def room_widget(persona: str):
    persona = persona_or_404(persona)
    _partner_only()
    mine, others = services.room_paths(current_user, persona)
    return render("training/room_widget.html", "widget", mine=mine, others=others, persona=persona)


# --- the partner admin: team and program ------------------------------------------------------


@bp.get("/training/team")
@partner_admin_required
def team():
    return _team_page(current_user.org)


def _team_page(org: Organization):
    page = paginate(services.team_people(current_user, org), _page())
    return render("training/team.html", "people", org=org, page=page, members=services.members(list(page.items)),
                  expiring=services.expiring(org), program=services.program(org), now=clock.now())


@bp.get("/training/team/<int:user_id>")
def member(user_id: int):
    if current_user.role not in (Role.partner_admin, Role.admin, Role.channel_manager):
        abort(403)
    person = get_or_404(people_visible_to(current_user), User, user_id)
    if person.org.is_vendor:
        abort(404)
    [info] = services.members([person])
    attempts = db.session.scalars(services.attempts_visible_to(current_user).where(Attempt.user_id == person.id)
                                  .where(Attempt.submitted_at.is_not(None))
                                  .options(selectinload(Attempt.quiz).selectinload(Quiz.course))
                                  .order_by(Attempt.submitted_at.desc()).limit(50)).all()
    certificates = db.session.scalars(services.certificates_visible_to(current_user)
                                      .where(Certificate.user_id == person.id)
                                      .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    stuck = services.out_of_attempts(person) if current_user.is_vendor else []
    return render("training/member.html", person=person, info=info, attempts=attempts, certificates=certificates,
                  now=clock.now(), revoke_form=RevokeForm(), stuck=stuck)


@bp.post("/training/team/<int:user_id>/quizzes/<int:quiz_id>/grant")
@vendor_required
def grant_attempt(user_id: int, quiz_id: int):
    """One more attempt for a partner's person whose attempts ran out."""
    person = get_or_404(people_visible_to(current_user), User, user_id)
    found = db.session.get(Quiz, quiz_id)
    if person.org.is_vendor or found is None:
        abort(404)
    try:
        services.grant_attempt(current_user, person, found)
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{person.name} can take the quiz once more, and has been told.")
    return redirect(url_for("training.member", user_id=user_id), 303)


@bp.get("/training/program")
def program():
    _partner_only()
    org = current_user.org
    return render("training/program.html", org=org, program=services.program(org),
                  names=current_user.role is Role.partner_admin)


@bp.get("/training/partners/<int:partner_id>")
@vendor_required
def partner(partner_id: int):
    org = get_or_404(partners_visible_to(current_user), Organization, partner_id)
    return _team_page(org)


# --- the vendor: editor -----------------------------------------------------------------------


@bp.get("/training/manage")
@vendor_required
def manage():
    courses = paginate(services.all_courses().options(selectinload(Course.lessons), selectinload(Course.quiz)),
                       _page())
    paths = db.session.scalars(services.all_paths().options(selectinload(LearningPath.path_courses))).all()
    return render("training/manage.html", courses=courses, paths=paths, describe=describe,
                  admin=current_user.role is Role.admin)


def _course(course_id: int) -> Course:
    return get_or_404(services.all_courses(), Course, course_id)


@bp.route("/training/manage/courses/new", methods=["GET", "POST"])
@vendor_admin_required
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        found = services.save_course(current_user, None, form.title.data.strip(), (form.summary.data or "").strip())
        db.session.commit()
        flash("Course created. Add its lessons and a quiz.")
        return redirect(url_for("training.edit_course", course_id=found.id), 303)
    return render("training/course_form.html", form=form, course=None, status=422 if form.errors else 200)


@bp.route("/training/manage/courses/<int:course_id>", methods=["GET", "POST"])
@vendor_admin_required
def edit_course(course_id: int):
    found = _course(course_id)
    form = CourseForm(obj=found)
    if form.validate_on_submit():
        services.save_course(current_user, found, form.title.data.strip(), (form.summary.data or "").strip())
        db.session.commit()
        flash("Course saved.")
        return redirect(url_for("training.edit_course", course_id=found.id), 303)
    return _course_editor(found, form=form, status=422 if form.errors else 200)


def _course_editor(found: Course, form=None, quiz_form=None, status: int = 200):
    if quiz_form is None:
        quiz_form = QuizForm(obj=found.quiz) if found.quiz else QuizForm()
    return render("training/course_edit.html", course=found, form=form or CourseForm(obj=found), quiz_form=quiz_form,
                  action_form=EmptyForm(), status=status,
                  paths=db.session.scalars(sa.select(LearningPath).join(PathCourse, PathCourse.path_id == LearningPath.id)
                                           .where(PathCourse.course_id == found.id)
                                           .order_by(LearningPath.title)).all())


@bp.post("/training/manage/courses/<int:course_id>/delete")
@vendor_admin_required
def delete_course(course_id: int):
    found = _course(course_id)
    return _delete(services.delete_course, found, f"Course “{found.title}” deleted.",
                   url_for("training.edit_course", course_id=course_id))


def _delete(delete, found, done: str, refused_url: str, done_url: str | None = None):
    """Delete an editor item after its confirmation, then go to `done_url` (the manage
    page by default); a refusal (it is in use) goes back to `refused_url` with the reason."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        delete(current_user, found)
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(refused_url, 303)
    db.session.commit()
    flash(done)
    return redirect(done_url or url_for("training.manage"), 303)


@bp.post("/training/manage/courses/<int:course_id>/quiz")
@vendor_admin_required
def edit_quiz(course_id: int):
    found = _course(course_id)
    form = QuizForm()
    if form.validate_on_submit():
        services.save_quiz(current_user, found, form.to_settings())
        db.session.commit()
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
        saved = services.save_lesson(current_user, found_course, found, form.title.data.strip(), form.body.data,
                                     (form.video_url.data or "").strip() or None, form.asset_ids.data or [])
        db.session.commit()
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
    editor = url_for("training.edit_course", course_id=found.course_id) + "#lessons"
    return _delete(services.delete_lesson, found, f"Lesson “{found.title}” deleted.", editor, editor)


@bp.post("/training/manage/lessons/<int:lesson_id>/move")
@vendor_admin_required
def move_lesson(lesson_id: int):
    found = _lesson(lesson_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.move_lesson(current_user, found, "up" if request.form.get("direction") == "up" else "down")
    db.session.commit()
    return redirect(url_for("training.edit_course", course_id=found.course_id) + "#lessons", 303)


def _save_question(found_quiz: Quiz, found: Question | None):
    form = QuestionForm(obj=found)
    if found and not form.is_submitted():
        form.kind.data = found.kind.value
        form.fill_options(found)
    if form.validate_on_submit():
        services.save_question(current_user, found_quiz, found, form.to_input())
        db.session.commit()
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
    editor = url_for("training.edit_course", course_id=found.quiz.course.id) + "#quiz"
    return _delete(services.delete_question, found, "Question deleted.", editor, editor)


def _path(path_id: int) -> LearningPath:
    return get_or_404(services.all_paths(), LearningPath, path_id)


def _path_form(found: LearningPath | None) -> PathForm:
    form = PathForm(obj=found)
    form.set_exam_choices(found)
    partners = db.session.scalars(partners_visible_to(current_user).order_by(Organization.name)).all()
    form.audience.set_org_choices(partners)
    if found and not form.is_submitted():
        form.audience.fill_from(found.audience)
        form.validity_months.data = str(found.validity_months) if found.validity_months else ""
        form.exam_id.data = found.exam_id
    return form


def _path_editor(found: LearningPath | None, form: PathForm, status: int = 200, add_form=None):
    add_form = add_form or AddCourseForm()
    in_path = {pc.course_id for pc in found.path_courses} if found else set()
    add_form.course_id.choices = [(c.id, c.title) for c in db.session.scalars(services.all_courses())
                                  if c.id not in in_path]
    return render("training/path_form.html", form=form, path=found, add_form=add_form, action_form=EmptyForm(),
                  status=status)


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
        data = services.PathInput(
            title=form.title.data.strip(), summary=(form.summary.data or "").strip(), published=form.published.data,
            certification_name=(form.certification_name.data or "").strip() or None, validity_months=form.months,
            exam_id=form.exam_id.data, audience=form.audience.spec())
        try:
            saved = services.save_path(current_user, found, data)
        except TrainingError as error:
            db.session.rollback()
            form.exam_id.errors.append(str(error))
            return _path_editor(found, form, 422)
        db.session.commit()
        flash("Path saved." if found else "Path created. Add its courses below.")
        return redirect(url_for("training.edit_path", path_id=saved.id), 303)
    return _path_editor(found, form, 422 if form.errors else 200)


@bp.post("/training/manage/paths/<int:path_id>/delete")
@vendor_admin_required
def delete_path(path_id: int):
    found = _path(path_id)
    return _delete(services.delete_path, found, f"Path “{found.title}” deleted.",
                   url_for("training.edit_path", path_id=path_id))


@bp.post("/training/manage/paths/<int:path_id>/courses")
@vendor_admin_required
def add_path_course(path_id: int):
    found = _path(path_id)
    add_form = AddCourseForm()
    add_form.course_id.choices = [(c.id, c.title) for c in db.session.scalars(services.all_courses())]
    if not add_form.validate_on_submit():
        return _path_editor(found, _path_form(found), 422, add_form=add_form)
    try:
        services.add_course_to_path(current_user, found, _course(add_form.course_id.data))
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for("training.edit_path", path_id=path_id) + "#courses", 303)


def _path_course_action(path_id: int, course_id: int, action):
    found, found_course = _path(path_id), _course(course_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        action(found, found_course)
    except TrainingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for("training.edit_path", path_id=path_id) + "#courses", 303)


@bp.post("/training/manage/paths/<int:path_id>/courses/<int:course_id>/move")
@vendor_admin_required
def move_path_course(path_id: int, course_id: int):
    direction = "up" if request.form.get("direction") == "up" else "down"
    return _path_course_action(path_id, course_id,
                               lambda p, c: services.move_course_in_path(current_user, p, c, direction))


@bp.post("/training/manage/paths/<int:path_id>/courses/<int:course_id>/remove")
@vendor_admin_required
def remove_path_course(path_id: int, course_id: int):
    return _path_course_action(path_id, course_id,
                               lambda p, c: services.remove_course_from_path(current_user, p, c))


@bp.route("/training/manage/requirements", methods=["GET", "POST"])
@vendor_required
def requirements():
    form = RequirementForm()
    certifying = [p for p in db.session.scalars(services.all_paths()) if p.certifies]
    form.path_id.choices = [(p.id, p.certification_name) for p in certifying]
    status = 200
    if request.method == "POST":
        if current_user.role is not Role.admin:
            abort(403)
        if form.validate_on_submit():
            path_ = _path(form.path_id.data)
            try:
                services.set_requirement(current_user, Tier(form.tier.data), path_, form.count.data)
            except TrainingError as error:
                db.session.rollback()
                form.path_id.errors.append(str(error))
                status = 422
            else:
                db.session.commit()
                flash("Requirement saved.")
                return redirect(url_for("training.requirements"), 303)
        else:
            status = 422
    rows = db.session.scalars(services.requirements()).all()
    rows.sort(key=lambda r: (-r.tier.rank, r.path.certification_name or ""))
    return render("training/requirements.html", form=form, rows=rows, action_form=EmptyForm(), status=status,
                  admin=current_user.role is Role.admin)


@bp.post("/training/manage/requirements/<int:requirement_id>/delete")
@vendor_admin_required
def delete_requirement(requirement_id: int):
    found = get_or_404(sa.select(TierRequirement), TierRequirement, requirement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_requirement(current_user, found)
    db.session.commit()
    flash("Requirement removed.")
    return redirect(url_for("training.requirements"), 303)


# --- the vendor: statistics --------------------------------------------------------------------


@bp.get("/training/stats")
@vendor_required
def stats():
    partners = paginate(services.partners_for_stats(), _page())
    return render("training/stats.html", "partner_rows", courses=services.course_stats(), partners=partners,
                  partner_rows=services.partner_stats(list(partners.items)),
                  questions=services.question_stats(limit=15))


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
                for row in services.course_stats())
    elif kind == "partner":
        header = ("partner_id", "partner", "tier", "learners", "lessons_completed", "attempts", "passed",
                  "pass_rate_pct", "certified_people")
        orgs = db.session.scalars(services.partners_for_stats()).all()
        rows = ((row.org_id, safe_cell(row.name), row.tier.value if row.tier else "", row.learners,
                 row.lessons_done, row.attempts, row.passed, _rate(row.pass_rate), row.certified)
                for row in services.partner_stats(orgs))
    else:
        header = ("question_id", "course", "question", "answered", "wrong", "wrong_share_pct")
        rows = ((row.question.id, safe_cell(row.course_title), safe_cell(row.question.text), row.answered,
                 row.wrong, row.wrong_share) for row in services.question_stats())
    return csv_download(f"training-{kind}s-{clock.now().strftime('%Y%m%d')}.csv", header, rows)


def _rate(value: int | None) -> str:
    return "" if value is None else str(value)
