"""Sign-in, sign-out, password links and profile (blueprint `auth`); audit log and outbox (`system`)."""
import string
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.core import auth, tokens
from portal.core.access import get_or_404, public, signed_in, vendor_admin_required, vendor_required
from portal.core.audit import events
from portal.accounts.forms import ApiTokenForm, ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from portal.core.models import ApiToken, OutboxEmail, Organization, User
from portal.core.passwords import verify_password
from portal.deals import services as deals
from portal.extensions import db
from portal.web.actions import domain_action
from portal.web.htmx import fragment_or_redirect, render
from portal.web.pagination import paginate
from portal.web.params import bounded_id

auth_bp = Blueprint("auth", __name__)
system_bp = Blueprint("system", __name__)

LINK_PURPOSES = {"invite": "INVITE_MAX_AGE", "reset": "RESET_MAX_AGE"}


def safe_next(target: str | None) -> str | None:
    """Accept only a same-site path: '/x', never '//host', '/\\host' or 'scheme:'."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(c in string.whitespace or ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_url(user: User) -> str:
    if user.is_vendor:
        return url_for("partners.index")
    return url_for("rooms.room", persona=user.persona.value)


@auth_bp.get("/")
@signed_in
def home():
    return redirect(home_url(current_user))


@auth_bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url(current_user))
    status, error = 200, None
    if form.validate_on_submit():
        credentials = form.to_input()
        try:
            user = auth.authenticate(credentials.email, credentials.password, request.remote_addr or "")
        except auth.Throttled:
            user, status = None, 429
            error = "Too many failed attempts. Wait 15 minutes, or reset your password."
        db.session.commit()  # failed attempts count even when this one is refused
        if user:
            session.clear()
            login_user(user, remember=credentials.remember)
            return redirect(next_url or home_url(user), 303)
        if status == 200:
            status, error = 422, "That email and password do not match an active account."
    elif form.is_submitted():
        status = 422
    return render("auth/login.html", form=form, error=error, status=status)


@auth_bp.post("/logout")
@signed_in
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"), 303)


@auth_bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = auth.find_user(form.to_input())
        if user and user.is_active:
            with domain_action():
                auth.send_password_link(user, "reset")
        # The same answer whether or not the account exists.
        flash("If that address has an account, a reset link is on its way. It works for one hour.")
        return redirect(url_for("auth.login"), 303)
    return render("auth/forgot.html", form=form, status=422 if form.errors else 200)


@auth_bp.route("/password/<purpose>/<token>", methods=["GET", "POST"])
@public
def set_password(purpose: str, token: str):
    if purpose not in LINK_PURPOSES:
        abort(404)
    max_age = current_app.config[LINK_PURPOSES[purpose]]
    user = auth.user_for_link_token(token, purpose, max_age)
    if user is None:
        return render("auth/link_invalid.html", status=404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        with domain_action():
            auth.set_password(user, form.to_input())
        if user.is_active:
            session.clear()
            login_user(user)
            return redirect(home_url(user), 303)
        flash("Your password is set, but your account is not active. Ask your administrator.")
        return redirect(url_for("auth.login"), 303)
    return render("auth/set_password.html", form=form, user=user, purpose=purpose,
                  status=422 if form.errors else 200)


@auth_bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current.data):
            with domain_action():
                auth.set_password(current_user, form.to_input())
            login_user(current_user)  # the session token rotated; keep this session
            flash("Your password is changed. Other sessions are signed out.")
            return redirect(url_for("auth.profile"), 303)
        form.current.errors.append("That is not your current password.")
    return _render_profile(password_form=form, status=422 if form.errors else 200)


def _render_profile(block: str | None = None, password_form=None, token_form=None, **context):
    return render(
        "auth/profile.html", block,
        form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or ApiTokenForm(formdata=None),
        api_tokens=db.session.scalars(tokens.tokens_of(current_user)).all(),
        **context,
    )


@auth_bp.post("/profile/tokens")
@signed_in
def create_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_profile("api_tokens", token_form=form, status=422)
    with domain_action():
        token, secret = tokens.create_token(current_user, form.to_input())
    # The secret goes out in this response only, never cached; not behind a 303 as other
    # posts are, since the redirect would have to carry it in the session cookie or the URL.
    return _render_profile("api_tokens", new_token=token, secret=secret, headers={"Cache-Control": "no-store"})


@auth_bp.post("/profile/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int):
    token = get_or_404(tokens.tokens_of(current_user), ApiToken, token_id)
    with domain_action():
        tokens.revoke_token(current_user, token)
    flash(f"The token “{token.name}” is revoked: requests that use it are refused from now on.")
    return fragment_or_redirect(url_for("auth.profile"), lambda: _render_profile("api_tokens"))


@system_bp.get("/audit")
@vendor_required
def audit_log():
    action = request.args.get("action", "").strip()
    org_id = request.args.get("org", type=bounded_id)
    page = paginate(events(action, org_id), request.args.get("page", 1, type=int))
    orgs = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    return render("system/audit.html", "results", page=page, orgs=orgs, action=action, org_id=org_id,
                  deal_customers=deals.customers_named_in(page.items))


@system_bp.get("/outbox")
@vendor_admin_required
def outbox():
    stmt = sa.select(OutboxEmail).order_by(OutboxEmail.id.desc())
    page = paginate(stmt, request.args.get("page", 1, type=int))
    return render("system/outbox.html", page=page)
