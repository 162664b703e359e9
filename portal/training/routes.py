"""Training for the trainee: paths, courses, lessons and quizzes (graded on the server), the
rooms' training card, and certificates (the PDF and the public verification page). The
partner admin's pages are in team_routes.py, the vendor's in editor_routes.py: all on the
one `training` blueprint."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import jobs
from portal.core import clock
from portal.core.access import partner_required, public, signed_in
from portal.extensions import db
from portal.pdf import RenderFailed
from portal.storage import send_blob
from portal.training import access, bp, certificate_pdfs, certificates, progress, quizzes
from portal.training.forms import answer_form
from portal.training.models import Attempt, Certificate, Lesson, Quiz
from portal.web.actions import domain_action
from portal.web.htmx import is_partial, render
from portal.web.params import persona_or_404
from portal.web.urls import base_url




@bp.get("/training")
@signed_in
def index():
    if current_user.is_vendor:
        return redirect(url_for("training.manage"), 303)
    mine, available = progress.my_training(current_user)
    return render("training/index.html", mine=mine, available=available,
                  certificates=certificates.my_certificates(current_user), renewal_window=certificates.RENEWAL_WINDOW)


@bp.get("/training/paths/<int:path_id>")
@signed_in
def path(path_id: int):
    learning_path = access.get_path(current_user, path_id)
    facts = progress.learner(current_user)
    return render("training/path.html", path=learning_path, progress=progress.path_progress(facts, learning_path))


@bp.post("/training/paths/<int:path_id>/enroll")
@partner_required
def enroll(path_id: int):
    learning_path = access.get_path(current_user, path_id)
    with domain_action() as outcome:
        progress.enroll(current_user, learning_path)
    if outcome.ok:
        flash(f"You started “{learning_path.title}”. Good luck!")
    return redirect(url_for("training.path", path_id=path_id), 303)


@bp.get("/training/courses/<int:course_id>")
@signed_in
def course(course_id: int):
    found = access.get_course(current_user, course_id)
    facts = progress.learner(current_user)
    return render("training/course.html", course=found, progress=progress.course_progress(facts, found),
                  done=facts.done_lessons, paths=access.paths_of_course(current_user, found))


@bp.get("/training/lessons/<int:lesson_id>")
@signed_in
def lesson(lesson_id: int):
    found = access.get_lesson(current_user, lesson_id)
    return _lesson_page(found)


def _lesson_page(found: Lesson, block: str | None = None):
    lessons = found.course.lessons
    index_of = lessons.index(found)
    return render("training/lesson.html", block, lesson=found, course=found.course,
                  previous=lessons[index_of - 1] if index_of else None,
                  following=lessons[index_of + 1] if index_of + 1 < len(lessons) else None,
                  done=not current_user.is_vendor and progress.is_lesson_done(current_user, found),
                  assets=access.lesson_assets_for(current_user, found))


@bp.post("/training/lessons/<int:lesson_id>/complete")
@partner_required
def complete_lesson(lesson_id: int):
    found = access.get_lesson(current_user, lesson_id)
    with domain_action() as outcome:
        issued = progress.complete_lesson(current_user, found)
    if not outcome.ok:
        return redirect(url_for("training.lesson", lesson_id=lesson_id), 303)
    for certificate in issued:
        flash(f"Certified: {certificate.certification_name}!")
    if is_partial():
        return _lesson_page(found, "lesson_status")
    flash("Lesson marked complete.")
    return redirect(url_for("training.lesson", lesson_id=lesson_id), 303)


@bp.get("/training/quizzes/<int:quiz_id>")
@signed_in
def quiz(quiz_id: int):
    found = access.get_quiz(current_user, quiz_id)
    return _quiz_page(found)


def _quiz_page(found: Quiz, form=None, result: Attempt | None = None, status: int = 200, block: str | None = None):
    state = None if current_user.is_vendor else quizzes.quiz_state(current_user, found)
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
@partner_required
def start_quiz(quiz_id: int):
    found = access.get_quiz(current_user, quiz_id)
    with domain_action():
        quizzes.start_attempt(current_user, found)
    if is_partial():
        return _quiz_page(found, block="quiz")
    return redirect(url_for("training.quiz", quiz_id=quiz_id), 303)


@bp.get("/training/attempts/<int:attempt_id>")
@signed_in
def attempt(attempt_id: int):
    found = access.get_attempt(current_user, attempt_id)
    if not found.is_graded:
        if found.user_id != current_user.id:
            abort(404)  # an unsubmitted sitting is the trainee's own business
        return redirect(url_for("training.quiz", quiz_id=found.quiz_id), 303)
    own = found.user_id == current_user.id
    state = quizzes.quiz_state(current_user, found.quiz) if own else None
    return render("training/attempt.html", attempt=found, quiz=found.quiz, course=found.quiz.course, own=own,
                  reveal=_reveal(found, state), state=state)


@bp.post("/training/attempts/<int:attempt_id>")
@partner_required
def submit_attempt(attempt_id: int):
    found = access.get_attempt(current_user, attempt_id)
    if found.user_id != current_user.id:
        abort(404)
    quiz_ = found.quiz
    if found.is_graded:
        flash("This attempt was already submitted; here is its result.", "error")
        return redirect(url_for("training.attempt", attempt_id=attempt_id), 303)
    form = answer_form(found, formdata=request.form)
    if not form.validate_on_submit():
        return _quiz_page(quiz_, form=form, status=422, block="quiz")
    with domain_action() as outcome:
        issued = quizzes.submit_attempt(current_user, found, form.to_input())
    if not outcome.ok:
        return redirect(url_for("training.quiz", quiz_id=quiz_.id), 303)
    for certificate in issued:
        flash(f"Certified: {certificate.certification_name}! Download your certificate below.")
    if is_partial():
        return _quiz_page(quiz_, result=found, block="quiz")
    return redirect(url_for("training.attempt", attempt_id=attempt_id), 303)


# --- certificates ---------------------------------------------------------------------------


@bp.get("/training/certificates/<int:certificate_id>.pdf")
@signed_in
def certificate_pdf(certificate_id: int):
    """The PDF at once when it is made already or there is no queue; else the page that
    waits for the job making it (an unfinished one is reused: see certificate_pdfs)."""
    certificate, base = access.get_certificate(current_user, certificate_id), base_url()
    sha = certificate_pdfs.cached_pdf(certificate, base)
    if sha is None and jobs.has_queue():
        job = certificate_pdfs.preparing(certificate, base)
        db.session.commit()
        if not job.is_finished:  # finished already: Redis was down and it ran here, so serve it
            return _certificate_pdf_page(certificate, job)
    code = certificate.code
    try:
        sha = sha or certificate_pdfs.certificate_pdf(certificate, base)
    except RenderFailed as error:
        abort(503, description=str(error))
    db.session.commit()
    return _certificate_pdf_download(sha, code)


def _certificate_pdf_download(sha: str, code: str):
    response = send_blob(sha, mimetype="application/pdf", etag=False, max_age=0)
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{code}.pdf"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.get("/training/certificates/<int:certificate_id>/pdf-jobs/<int:job_id>")
@signed_in
def certificate_pdf_job(certificate_id: int, job_id: int):
    """How the job making the PDF is doing; htmx asks every second until it has finished."""
    certificate = access.get_certificate(current_user, certificate_id)
    return _certificate_pdf_page(certificate, certificate_pdfs.get_render_job(certificate, job_id))


def _certificate_pdf_page(certificate: Certificate, job: jobs.Job):
    return render("training/certificate_pdf_job.html", "job", certificate=certificate, job=job)


@bp.get("/verify")
@bp.get("/verify/<code>")
@public
def verify(code: str = ""):
    """The public check for anyone holding a certificate's code: its form (the code typed in
    comes as ?code=), and its own answer when no certificate has the code."""
    code = (code or request.args.get("code", "")).strip().upper()
    certificate = certificates.verify(code) if code else None
    not_found = bool(code and not certificate)
    response = render("training/verify.html", certificate=certificate, status=404 if not_found else 200, not_found=not_found,
                      code=code if certificates.CODE_SHAPE.fullmatch(code) else "",  # never echo NULs and the like
                      status_now=certificate.status_at(clock.now()) if certificate else None)
    response.headers["X-Robots-Tag"] = "noindex"
    response.cache_control.no_store = True
    return response


# --- the room card ----------------------------------------------------------------------------


@bp.get("/rooms/<persona>/training")
@partner_required
def room_widget(persona: str):
    persona = persona_or_404(persona)
    mine, others = progress.room_paths(current_user, persona)
    return render("training/room_widget.html", "widget", mine=mine, others=others, persona=persona)
