"""Team pages: an admin (partner admin, or vendor admin for vendor staff) manages the
people of their own org."""
from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from portal.core.access import get_or_404, people_visible_to, roles_required
from portal.core.models import Role, User
from portal.extensions import db
from portal.people import services
from portal.people.forms import PersonaForm, PersonForm
from portal.web.actions import domain_action
from portal.web.htmx import fragment_or_redirect, render

bp = Blueprint("people", __name__, url_prefix="/team")
team_admin_required = roles_required(Role.partner_admin, Role.admin, name="team_admin")


def _my_team():
    return people_visible_to(current_user).where(User.org_id == current_user.org_id)


def _person(user_id: int) -> User:
    return get_or_404(_my_team(), User, user_id)


def _render_team(form: PersonForm | None = None, status: int = 200, block="team", **extra):
    people = db.session.scalars(_my_team().order_by(User.active.desc(), User.name)).all()
    if form is None:
        form = PersonForm(formdata=None)
        form.set_roles(services.roles_for(current_user.org))
    return render("people/team.html", block, people=people, form=form, status=status, **extra,
                  persona_forms={p.id: PersonaForm(formdata=None, persona=p.persona.value) for p in people})


@bp.get("/")
@team_admin_required
def team():
    return _render_team()


@bp.post("/")
@team_admin_required
def add():
    form = PersonForm()
    form.set_roles(services.roles_for(current_user.org))
    if form.validate_on_submit():
        with domain_action(form) as outcome:
            person = services.add_person(current_user, current_user.org, form.to_input())
        if outcome.ok:
            flash(f"{person.name} is invited; the email is on its way.")
            # The list with the newcomer, and a blank form swapped out-of-band.
            return fragment_or_redirect(
                url_for("people.team"), lambda: _render_team(block=["team", "add_form"], oob_form=True)
            )
    return _render_team(form, status=422, block="add_form",
                        headers={"HX-Retarget": "#add-person", "HX-Reswap": "outerHTML"})


@bp.post("/<int:user_id>/persona")
@team_admin_required
def change_persona(user_id: int):
    person = _person(user_id)
    form = PersonaForm()
    if not form.validate_on_submit():
        abort(422)
    with domain_action():
        services.change_persona(current_user, person, form.to_input())
    flash(f"{person.name} is now in the {person.persona.label} room.")
    return fragment_or_redirect(url_for("people.team"), _render_team)


def _set_active(user_id: int, active: bool):
    person = _person(user_id)
    with domain_action() as outcome:
        services.set_active(current_user, person, active)
    if outcome.ok:
        flash(f"{person.name} is {'active again' if active else 'deactivated and signed out'}.")
    return fragment_or_redirect(url_for("people.team"), _render_team)


@bp.post("/<int:user_id>/deactivate")
@team_admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/reactivate")
@team_admin_required
def reactivate(user_id: int):
    return _set_active(user_id, True)


@bp.post("/<int:user_id>/invite")
@team_admin_required
def resend_invite(user_id: int):
    person = _person(user_id)
    with domain_action() as outcome:
        services.resend_invite(current_user, person)
    if outcome.ok:
        flash(f"A new invitation is on its way to {person.email}.")
    return fragment_or_redirect(url_for("people.team"), _render_team)
