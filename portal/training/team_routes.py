"""Training for the partner admin (their team's progress and expiring certifications) and for
vendor staff looking at a partner's people: extra attempts, revoking a certificate."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.core.access import (
    VENDOR_ROLES, get_or_404, partner_admin_required, partners_visible_to, people_visible_to,
    roles_required, vendor_admin_required, vendor_required,
)
from portal.core.models import Organization, Role, User
from portal.extensions import db
from portal.training import access, bp, certificates, page_number, quizzes
from portal.training import team as teams
from portal.training.forms import RevokeForm
from portal.training.models import Attempt, Certificate, Quiz
from portal.web.actions import domain_action
from portal.web.htmx import render
from portal.web.pagination import paginate

# A partner admin looks at their own people, vendor staff at any partner's.
team_viewer_required = roles_required(Role.partner_admin, *VENDOR_ROLES, name="team_viewer")


@bp.get("/training/team")
@partner_admin_required
def team():
    return _team_page(current_user.org)


def _team_page(org: Organization):
    page = paginate(teams.team_people(current_user, org), page_number())
    return render("training/team.html", "people", org=org, page=page, members=teams.members(list(page.items)),
                  expiring=teams.expiring(org))


@bp.get("/training/team/<int:user_id>")
@team_viewer_required
def member(user_id: int):
    person = get_or_404(people_visible_to(current_user), User, user_id)
    if person.org.is_vendor:
        abort(404)
    [info] = teams.members([person])
    attempts = db.session.scalars(access.attempts_visible_to(current_user).where(Attempt.user_id == person.id)
                                  .where(Attempt.submitted_at.is_not(None))
                                  .options(selectinload(Attempt.quiz).selectinload(Quiz.course))
                                  .order_by(Attempt.submitted_at.desc()).limit(50)).all()
    certificates = db.session.scalars(access.certificates_visible_to(current_user)
                                      .where(Certificate.user_id == person.id)
                                      .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    stuck = quizzes.out_of_attempts(person) if current_user.is_vendor else []
    return render("training/member.html", person=person, info=info, attempts=attempts, certificates=certificates,
                  revoke_form=RevokeForm(), stuck=stuck)


@bp.post("/training/team/<int:user_id>/quizzes/<int:quiz_id>/grant")
@vendor_required
def grant_attempt(user_id: int, quiz_id: int):
    """One more attempt for a partner's person whose attempts ran out."""
    person = get_or_404(people_visible_to(current_user), User, user_id)
    found = access.get_quiz(current_user, quiz_id)
    if person.org.is_vendor:
        abort(404)
    with domain_action() as outcome:
        quizzes.grant_attempt(current_user, person, found)
    if outcome.ok:
        flash(f"{person.name} can take the quiz once more, and has been told.")
    return redirect(url_for("training.member", user_id=user_id), 303)


@bp.post("/training/certificates/<int:certificate_id>/revoke")
@vendor_admin_required
def revoke_certificate(certificate_id: int):
    certificate = access.get_certificate(current_user, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or "Give a reason.", "error")
        return redirect(url_for("training.member", user_id=certificate.user_id), 303)
    with domain_action() as outcome:
        certificates.revoke_certificate(current_user, certificate, form.to_input())
    if outcome.ok:
        flash(f"Certificate {certificate.code} revoked.")
    return redirect(url_for("training.member", user_id=certificate.user_id), 303)


@bp.get("/training/partners/<int:partner_id>")
@vendor_required
def partner(partner_id: int):
    org = get_or_404(partners_visible_to(current_user), Organization, partner_id)
    return _team_page(org)
