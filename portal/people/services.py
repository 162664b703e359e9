"""The people of an org: adding them, their persona, deactivating leavers."""
from dataclasses import dataclass

import sqlalchemy as sa

from portal.core import audit, auth
from portal.core.errors import DomainError
from portal.core.models import Organization, Persona, Role, User
from portal.extensions import db


class PersonError(DomainError):
    pass


@dataclass(frozen=True)
class NewPerson:
    name: str
    email: str
    persona: Persona
    role: Role


def roles_for(org: Organization) -> list[Role]:
    """Roles a person of this org may hold, the least powerful first (the form's default)."""
    return [Role.channel_manager, Role.admin] if org.is_vendor else [Role.partner_user, Role.partner_admin]


def add_person(actor: User, org: Organization, new: NewPerson) -> User:
    email, role = auth.normalise_email(new.email), new.role
    if role not in roles_for(org):
        raise PersonError("That role does not exist in this organisation.", field="role")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise PersonError("Someone already has an account with this email.", field="email")
    person = User(email=email, name=new.name, org=org, role=role, persona=new.persona, active=True)
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "user.invited", person, f"{person.email} invited to {org.name} as {role.label}",
                 after={"role": role.value, "persona": new.persona.value})
    auth.send_password_link(person, "invite")
    return person


def resend_invite(actor: User, person: User) -> None:
    if person.password_hash:
        raise PersonError(f"{person.name} has already set a password.")
    audit.record(actor, "user.invite_resent", person, f"Invitation resent to {person.email}")
    auth.send_password_link(person, "invite")


def change_persona(actor: User, person: User, persona: Persona) -> None:
    if person.persona is persona:
        return
    before, person.persona = person.persona, persona
    audit.record(actor, "user.persona_changed", person, f"{person.email}: {before.label} → {persona.label}",
                 before={"persona": before.value}, after={"persona": persona.value})


def set_active(actor: User, person: User, active: bool) -> None:
    """Deactivation rotates the session token: open sessions end on their next request."""
    if person.id == actor.id:
        raise PersonError("You cannot deactivate yourself.")
    if person.active is active:
        return
    person.active = active
    person.rotate_session_token()
    action = "user.reactivated" if active else "user.deactivated"
    audit.record(actor, action, person, f"{person.email} {'reactivated' if active else 'deactivated'}",
                 before={"active": not active}, after={"active": active})
