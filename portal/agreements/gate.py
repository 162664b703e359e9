"""The agreement gate: deal registration, MDF and co-branding need the org's acceptance of
its current agreement (or a running grace period). Everything else stays open.

    @bp.post("/deals/new")
    @partner_required                      # the view's one gate (core/access)
    @agreement_required("Deal registration")
    def new(): ...

It is not a second access gate (a view has exactly one, see core/access._declare): it marks
the view `needs_agreement = True`, which functools.wraps carries to the role gate's wrapper,
and tests walk app.url_map for exactly the intended endpoints. Vendor staff are never gated.
`org_of` names the org whose agreement counts when it is not the user's own (a distributor
registering a deal on a reseller's behalf: the reseller's).

Blocked: a full page (403) that says why and links to the agreement; for htmx, the same 403
with HX-Redirect to the agreement page, which names what waits for it (never a redirect
into an htmx target).
"""
from collections.abc import Callable
from functools import wraps

from flask import g, render_template, url_for
from flask_login import current_user

from portal.agreements import services
from portal.core.models import Organization
from portal.web.htmx import is_partial

FEATURES = {"deals": "Deal registration", "cobrand": "Co-branding", "mdf": "Market development funds"}


def standing_for(org: Organization) -> services.AgreementStanding:
    """The org's standing, read once per request (the gate and the layout's notice share it)."""
    cache = g.setdefault("agreement_standings", {})
    if org.id not in cache:
        cache[org.id] = services.standing_of(org)
    return cache[org.id]


def agreement_required(feature: str, org_of: Callable[[], Organization | None] | None = None):
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r}: one of {sorted(FEATURES)}")

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.is_authenticated and not current_user.is_vendor:
                org = org_of() if org_of else current_user.org
                if org is not None:
                    standing = standing_for(org)
                    if not standing.is_open:
                        return blocked(feature, org, standing)
            return view(*args, **kwargs)

        wrapped.needs_agreement = feature
        return wrapped

    return decorate


def blocked(feature: str, org: Organization, standing: services.AgreementStanding):
    own = org.id == current_user.org_id
    if is_partial():
        target = url_for("agreements.current", blocked=feature) if own else url_for("agreements.current")
        return "", 403, {"HX-Redirect": target, "Vary": "HX-Request"}
    admins = services.org_admins(org)
    body = render_template("agreements/blocked.html", feature=FEATURES[feature], org=org, standing=standing,
                           own=own, admins=admins, agreement_gate_page=True)  # says it all: no notice above it
    return body, 403, {"Vary": "HX-Request"}
