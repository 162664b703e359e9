"""Recruitment: an application is submitted (public, throttled), confirmed through a signed
link in the applicant's mailbox, then vetted by the vendor (new → in review → approved or
declined, compare-and-set), with automatic checks that show their evidence. Approving
creates the partner org and invites the applicant as its admin, in one transaction."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.core import audit, auth, clock, mail, throttle, workflow
from portal.core.errors import DomainError
from portal.core.geography import COUNTRY_NAMES, region_of
from portal.core.models import Organization, OrgKind, PartnerType, Product, Role, User
from portal.core.tiers import all_tiers
from portal.deals import matching, services as deals
from portal.extensions import db
from portal.notifications.services import notify
from portal.onboarding import checklist
from portal.onboarding.models import (
    Application, ApplicationNote, ApplicationStatus, ExpectedBusiness, RecruitmentSettings,
)
from portal.partners import services as partners
from portal.web.urls import mail_url_for

CONFIRM_PURPOSE = "application-confirm"
CONFIRM_WITHIN = timedelta(days=7)
OPEN = (ApplicationStatus.new, ApplicationStatus.in_review)
UNCONFIRMED = (ApplicationStatus.unconfirmed, ApplicationStatus.expired)


class ApplicationError(DomainError):
    pass


class TooManyApplications(ApplicationError):
    """The throttle: too many applications from this address or email domain just now."""


@dataclass
class ApplicationInput:
    company: str
    website: str
    country: str
    partner_type: PartnerType
    contact_name: str
    email: str
    phone: str
    expected_business: ExpectedBusiness
    product_ids: list[int]
    motivation: str


def settings() -> RecruitmentSettings:
    return db.session.get(RecruitmentSettings, RecruitmentSettings.ONLY)


# --- applying (public) -----------------------------------------------------------------------


def website_domain(website: str) -> str | None:
    """The company's domain from what the applicant typed as its website; None if it is not one."""
    return matching.normalize_domain(website)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower().rstrip(".")


def submit(data: ApplicationInput, ip: str) -> Application:
    """Store the application, unconfirmed, and email the applicant the link that confirms it.
    The answer is the same whoever already uses the domain: nothing here tells the applicant
    (or a prober) which companies are partners or house accounts."""
    domain = website_domain(data.website)
    if domain is None:
        raise ApplicationError("Enter your company's own website, e.g. example.com.", field="website")
    mail_domain = email_domain(data.email)
    if matching.is_free_mail(mail_domain):
        raise ApplicationError("Use your work email address: a free email provider's address cannot show which "
                               "company you are with.", field="email")
    _throttle(ip, mail_domain)
    known_products = set(db.session.scalars(sa.select(Product.id).where(Product.id.in_(data.product_ids))))
    application = Application(
        ip=ip, company=data.company, website=data.website, domain=domain, country=data.country,
        partner_type=data.partner_type, contact_name=data.contact_name, email=data.email.lower(),
        email_domain=mail_domain, phone=data.phone, expected_business=data.expected_business,
        product_ids=[i for i in data.product_ids if i in known_products], motivation=data.motivation)
    db.session.add(application)
    db.session.flush()
    audit.record(None, "application.submitted", application, f"{data.company} applied ({data.email})")
    _send_confirmation(application)
    return application


def _throttle(ip: str, mail_domain: str) -> None:
    config = current_app.config
    window = config["APPLY_THROTTLE_WINDOW"]
    if (throttle.recent(Application.ip, ip, window) >= config["APPLY_MAX_PER_IP"]
            or throttle.recent(Application.email_domain, mail_domain, window) >= config["APPLY_MAX_PER_DOMAIN"]):
        raise TooManyApplications("We have received several applications from you just now. Try again in an hour, "
                                  "or reply to the confirmation email you already have.")


def _send_confirmation(application: Application) -> None:
    token = auth.sign({"application": application.id}, CONFIRM_PURPOSE)
    link = mail_url_for("onboarding.apply", token=token)
    mail.send(application.email, "Confirm your partner application",
              f"Hello {application.contact_name},\n\nThank you for applying to become a partner on behalf of "
              f"{application.company}. Confirm your email address within 7 days and our channel team reviews "
              f"your application:\n{link}\n\nIf you did not apply, ignore this email: nothing happens without "
              "the confirmation.\n")


def application_for_token(token: str) -> Application | None:
    data = auth.unsign(token, CONFIRM_PURPOSE, CONFIRM_WITHIN)
    application_id = data.get("application") if data else None
    return db.session.get(Application, application_id) if isinstance(application_id, int) else None


def confirm(application: Application) -> bool:
    """The applicant clicked the link: the application enters the vendor's queue. True if this
    confirmed it, False if it was confirmed already (the link may be opened twice)."""
    cutoff = clock.now() - CONFIRM_WITHIN
    if not workflow.compare_and_set(
            application, sa.and_(Application.status == ApplicationStatus.unconfirmed, Application.at > cutoff),
            {"status": ApplicationStatus.new, "confirmed_at": clock.now()}):
        if application.confirmed_at is not None:
            return False
        raise ApplicationError("This application expired: it was not confirmed within 7 days. Apply again; "
                               "it takes two minutes.")
    audit.record(None, "application.confirmed", application, f"{application.company}: email confirmed")
    for admin in db.session.scalars(sa.select(User).where(User.role == Role.admin, User.active.is_(True))):
        notify(admin, f"New partner application: {application.company}",
               f"{application.contact_name} ({application.email}) applied for {application.company}.",
               "onboarding.application", application_id=application.id)
    return True


def expire_unconfirmed() -> int:
    """From `tick`: applications nobody confirmed within the week expire (their link is dead)."""
    return db.session.execute(sa.update(Application).where(
        Application.status == ApplicationStatus.unconfirmed, Application.at <= clock.now() - CONFIRM_WITHIN,
    ).values(status=ApplicationStatus.expired).execution_options(synchronize_session=False)).rowcount


# --- the vendor's checks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    evidence: str


def checks(application: Application) -> list[Check]:
    """The automatic checks, each with what it found."""
    return [_email_matches(application), _domain_unknown(application), _region_covered(application),
            _type_accepted(application)]


def _email_matches(a: Application) -> Check:
    same = a.email_domain == a.domain or a.email_domain.endswith("." + a.domain) or a.domain.endswith(
        "." + a.email_domain)
    return Check("The email domain matches the website", same,
                 f"{a.email} and {a.website}" + ("" if same else f": {a.email_domain} is not {a.domain}"))


def _domain_unknown(a: Application) -> Check:
    known = known_domain(a)
    return Check("The domain is new to the program", known is None,
                 known or f"No partner's people and no house account use {' or '.join(_domains(a))}.")


def known_domain(a: Application) -> str | None:
    """Who already uses the application's domains (a partner org's people, a house account,
    an earlier approved application), said for the vendor; None when nobody does."""
    domains = _domains(a)
    org = db.session.scalar(
        sa.select(Organization).join(User, User.org_id == Organization.id)
        .where(Organization.kind == OrgKind.partner,
               sa.or_(*(User.email.endswith("@" + domain, autoescape=True) for domain in domains)))
        .order_by(Organization.name).limit(1))
    if org is not None:
        return f"Domain already known: people of the partner {org.name} use {' or '.join(domains)}."
    house = deals.house_account_with_domain(domains)
    if house is not None:
        return f"Domain already known: {house.company} is a house account at {house.key_domain}."
    earlier = db.session.scalar(sa.select(Application).where(
        Application.id != a.id, Application.domain.in_(domains),
        Application.status.in_((ApplicationStatus.approved, *OPEN))).order_by(Application.id).limit(1))
    if earlier is not None:
        return (f"Domain already known: application #{earlier.id} from {earlier.company} "
                f"({earlier.status.label}) has it too.")
    return None


def _domains(a: Application) -> list[str]:
    return sorted({a.domain, a.email_domain})


def _region_covered(a: Application) -> Check:
    region, covered = region_of(a.country), settings().covered_regions
    names = ", ".join(r.value for r in sorted(covered, key=lambda r: r.value)) or "no region"
    return Check("The country is in a region the program covers", region in covered,
                 f"{COUNTRY_NAMES.get(a.country, a.country)} is in {region.value}; the program covers {names}.")


def _type_accepted(a: Application) -> Check:
    accepted = settings().accepted_types
    names = ", ".join(sorted(t.label for t in accepted)) or "no type"
    return Check("The partner type is accepted", a.partner_type in accepted,
                 f"{a.partner_type.label}; the program accepts {names}.")


# --- vetting ---------------------------------------------------------------------------------------


def pipeline_counts() -> dict[ApplicationStatus, int]:
    rows = db.session.execute(sa.select(Application.status, sa.func.count(Application.id))
                              .group_by(Application.status)).all()
    return {status: count for status, count in rows}


def applications(statuses: tuple[ApplicationStatus, ...]):
    return (sa.select(Application).where(Application.status.in_(statuses))
            .order_by(Application.at.desc(), Application.id.desc()))


def vetting_staff() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.role.in_((Role.admin, Role.channel_manager)),
                                                    User.active.is_(True)).order_by(User.name)).all()


def start_review(actor: User, application: Application) -> None:
    workflow.transition(application, ApplicationStatus.new, ApplicationStatus.in_review,
                        {"owner_id": application.owner_id or actor.id})
    audit.record(actor, "application.in_review", application,
                 f"{application.company}: review started by {actor.name}")


def assign(actor: User, application: Application, owner: User) -> None:
    if owner not in vetting_staff():
        raise ApplicationError("Choose someone of the channel team.", field="owner_id")
    before = application.owner.name if application.owner else None
    workflow.transition(application, OPEN, application.status, {"owner_id": owner.id})
    audit.record(actor, "application.owner", application, f"{application.company}: owner {owner.name}",
                 before={"owner": before}, after={"owner": owner.name})


def add_note(actor: User, application: Application, body: str) -> ApplicationNote:
    if not body:
        raise ApplicationError("Write the note.", field="body")
    note = ApplicationNote(application=application, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def approve(actor: User, application: Application) -> Organization:
    """Create the org (the program's entry tier, the applied type, the country's region) and
    invite the applicant as its partner admin; the route commits it all or nothing."""
    tiers = all_tiers()
    if not tiers:
        raise ApplicationError("The program has no tiers yet: add one before approving partners.")
    workflow.transition(application, OPEN, ApplicationStatus.approved,
                        {"decided_at": clock.now(), "decided_by_id": actor.id})
    region = region_of(application.country)
    try:
        org = partners.create_partner(actor, partners.NewPartner(
            application.company, tiers[0], application.partner_type, region, None, application.contact_name,
            application.email))
    except partners.PartnerError as error:
        raise ApplicationError(f"Not approved: {error}") from error
    application.org_id = org.id
    checklist.start(org, application.id)
    audit.record(actor, "application.approved", application,
                 f"{application.company} approved: partner org created ({tiers[0].name}, "
                 f"{application.partner_type.label}, {region.value}), {application.email} invited", org=org)
    return org


def decline(actor: User, application: Application, reason: str) -> None:
    if not reason:
        raise ApplicationError("Give a reason; the applicant receives it.", field="reason")
    workflow.transition(application, OPEN, ApplicationStatus.declined,
                        {"decided_at": clock.now(), "decided_by_id": actor.id, "decline_reason": reason})
    audit.record(actor, "application.declined", application, f"{application.company} declined: {reason}")
    mail.send(application.email, "Your partner application",
              f"Hello {application.contact_name},\n\nThank you for your interest in partnering with us on behalf "
              f"of {application.company}. After reviewing your application we are not able to welcome you to the "
              f"program at this time.\n\n{reason}\n\nYou are welcome to apply again when circumstances change.\n")


def set_recruitment(actor: User, regions: list[str], partner_types: list[str]) -> None:
    row = settings()
    before = {"regions": row.regions, "partner_types": row.partner_types}
    row.regions, row.partner_types = regions, partner_types
    audit.record(actor, "application.settings", row, "Recruitment settings changed", before=before,
                 after={"regions": regions, "partner_types": partner_types})
