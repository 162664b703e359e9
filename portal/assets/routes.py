"""The asset library: browse, detail, preview, download, search; the vendor's upkeep and stats."""
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from portal import jobs
from portal.assets import indexing, services
from portal.assets.files import FileKind, FileRejected
from portal.assets.uploads import PreparedFile, prepare, store_upload
from portal.assets.forms import AssetForm, VersionForm
from portal.assets.models import LANGUAGES, Asset, AssetType
from portal.core import clock
from portal.core.access import signed_in, vendor_admin_required, vendor_required
from portal.core.database import end_transaction
from portal.core.models import Persona
from portal.storage import current_store, send_blob
from portal.web.actions import domain_action
from portal.web.params import bounded_id, enum_arg, persona_or_404
from portal.web.htmx import render
from portal.web.pagination import page_number, paginate
from search import IndexUnavailable

bp = Blueprint("assets", __name__)
PREVIEW_MAX_AGE = 3600  # seconds; previews are content-addressed, a new version has a new URL


def _page() -> int:
    return page_number(request.args.get("page", 1, type=int))


# --- partners and vendor alike -----------------------------------------------------------


@bp.get("/assets")
@signed_in
def library():
    language = request.args.get("language", "")
    filters = services.LibraryFilters(
        asset_type=enum_arg(AssetType, "type"),
        product_id=request.args.get("product", type=bounded_id),
        persona=enum_arg(Persona, "persona"),
        language=language if language in LANGUAGES else None,
        sort=request.args.get("sort") if request.args.get("sort") in services.SORTS else "newest",
    )
    page = paginate(services.library(current_user, filters), _page())
    return render("assets/library.html", "results", page=page, filters=filters,
                  filter_selects=_filter_selects(filters))


def _filter_selects(filters: services.LibraryFilters) -> list[tuple]:
    """(name, label, [(value, text)], selected value) for each filter of the library page."""
    def value_of(member):
        return member.value if member else ""

    return [
        ("type", "Type", [(t.value, t.label) for t in AssetType], value_of(filters.asset_type)),
        ("product", "Product", [(str(p.id), p.name) for p in services.products()], str(filters.product_id or "")),
        ("persona", "Made for", [(p.value, p.label) for p in Persona], value_of(filters.persona)),
        ("language", "Language", list(LANGUAGES.items()), filters.language or ""),
    ]


@bp.get("/assets/<int:asset_id>")
@signed_in
def detail(asset_id: int):
    return _render_detail(services.get_asset(current_user, asset_id))


def _render_detail(asset: Asset, version_form: VersionForm | None = None, status: int = 200):
    vendor = current_user.is_vendor
    return render(
        "assets/detail.html", asset=asset, related=services.related(current_user, asset),
        kind=FileKind(asset.current.kind) if asset.current else None,
        preparing=services.is_preparing(asset.current),
        version_form=version_form or VersionForm(),
        version_counts=services.version_download_counts(asset) if vendor else {},
        partner_downloads=services.top_partners(asset) if vendor else [],
        status=status,
    )


@bp.get("/assets/<int:asset_id>/preview")
@signed_in
def preview(asset_id: int):
    asset = services.get_asset(current_user, asset_id)
    if asset.current is None or asset.current.preview_sha256 is None:
        abort(404)
    response = send_blob(asset.current.preview_sha256, mimetype="image/png", max_age=PREVIEW_MAX_AGE,
                         etag=asset.current.preview_sha256)
    response.cache_control.private = True
    return response


@bp.post("/assets/<int:asset_id>/download")
@signed_in
def download(asset_id: int):
    asset = services.get_asset(current_user, asset_id)
    wanted = request.form.get("version", type=bounded_id) if current_user.is_vendor else None
    version = services.version_of(asset, wanted)
    if version is None:
        abort(404)
    with domain_action():
        services.record_download(current_user, asset, version)
    response = send_blob(version.sha256, mimetype=FileKind(version.kind).mime,
                         as_attachment=True, download_name=version.filename, etag=False, max_age=0)
    response.cache_control.private = True
    return response


@bp.get("/rooms/<persona>/assets")
@signed_in
def room_widget(persona: str):
    """The room's asset panel, loaded after the room itself so the room stays fast."""
    persona = persona_or_404(persona)
    return render(
        "assets/room_widget.html", "widget", persona=persona,
        newest=services.newest_for_room(current_user, persona),
        popular=services.popular_for_room(current_user, persona),
        outdated=services.outdated_downloads(current_user),
    )


@bp.get("/search")
@signed_in
def search():
    text = request.args.get("q", "").strip()[:200]
    asset_type = enum_arg(AssetType, "type")
    product = request.args.get("product", "").strip()[:120] or None
    outcome, unavailable = None, False
    try:
        outcome = services.search(current_user, text, _page(), asset_type, product)
    except IndexUnavailable:
        indexing.heal(current_app._get_current_object())
        unavailable = True
    facets = _facet_links(outcome.result, text, asset_type, product) if outcome else []
    return render("assets/search.html", "content", q=text, asset_type=asset_type, product=product,
                  outcome=outcome, facets=facets, unavailable=unavailable)


def _facet_links(result, text: str, asset_type: AssetType | None, product: str | None) -> list[tuple]:
    """(label, [(text, count, url, selected)]) per facet; a selected value's link removes it."""
    chosen = {"type": asset_type.value if asset_type else None, "product": product}

    def links(arg: str, values, label_of) -> list[tuple]:
        out = []
        for value, count in values:
            selected = value == chosen[arg]
            args = {**chosen, arg: None if selected else value}
            out.append((label_of(value), count, url_for("assets.search", q=text, **args), selected))
        return out

    type_label = {t.value: t.label for t in AssetType}
    return [
        ("Type", links("type", result.facets["asset_type"], lambda v: type_label.get(v, v))),
        ("Product", links("product", result.facets["product"], lambda v: v)),
    ]


# --- vendor upkeep -----------------------------------------------------------------------


def _asset_form(asset: Asset | None = None) -> AssetForm:
    form = AssetForm(obj=asset, has_file=bool(asset and asset.version))
    form.set_product_choices(services.products())
    form.audience.set_org_choices(current_user)
    if not form.is_submitted():
        if asset:
            form.asset_type.data = asset.asset_type.value
            form.product_id.data = asset.product_id or 0
            form.audience.fill_from(asset.audience)
        else:
            form.publish_at.data = clock.now().replace(second=0, microsecond=0)
    return form


def _prepared_upload(field, upload) -> PreparedFile | None:
    """Check and store an uploaded file, outside any database transaction (this can take a
    while for a large PDF); with a queue its text and preview are left to a job. A rejected
    file adds its message to the field and stores nothing."""
    if not upload:
        return None
    data = upload.read()
    end_transaction()
    try:
        return (store_upload if jobs.has_queue() else prepare)(data, upload.filename or "", current_store())
    except FileRejected as exc:
        field.errors = [*field.errors, str(exc)]
        return None


@bp.route("/assets/new", methods=["GET", "POST"])
@vendor_admin_required
def new():
    form = _asset_form()
    if form.validate_on_submit():
        file = _prepared_upload(form.file, form.file.data)
        if not form.file.errors:
            with domain_action():
                asset = services.create_asset(current_user, form.to_input(), file)
            flash("Asset published." if asset.publish_at <= clock.now() else "Asset scheduled.")
            return redirect(url_for("assets.detail", asset_id=asset.id), 303)
    return render("assets/form.html", form=form, asset=None, status=422 if form.errors else 200)


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@vendor_admin_required
def edit(asset_id: int):
    asset = services.get_asset(current_user, asset_id)
    form = _asset_form(asset)
    del form.file  # a new file is a new version, uploaded from the asset's page
    if form.validate_on_submit():
        with domain_action():
            services.update_asset(current_user, asset, form.to_input())
        flash("Asset saved.")
        return redirect(url_for("assets.detail", asset_id=asset.id), 303)
    return render("assets/form.html", form=form, asset=asset, status=422 if form.errors else 200)


@bp.post("/assets/<int:asset_id>/versions")
@vendor_admin_required
def add_version(asset_id: int):
    asset = services.get_asset(current_user, asset_id)
    form = VersionForm()
    if asset.asset_type is AssetType.video:
        abort(404)
    if form.validate_on_submit():
        file = _prepared_upload(form.file, form.to_input())
        if not form.file.errors:
            asset = services.get_asset(current_user, asset_id)  # reloaded: the upload ended the transaction
            with domain_action():
                version = services.add_version(current_user, asset, file)
            flash(f"Version {version.number} is now the one partners download.")
            return redirect(url_for("assets.detail", asset_id=asset.id), 303)
        asset = services.get_asset(current_user, asset_id)
    return _render_detail(asset, version_form=form, status=422)


@bp.post("/assets/<int:asset_id>/delete")
@vendor_admin_required
def delete(asset_id: int):
    asset = services.get_asset(current_user, asset_id)
    with domain_action():
        services.delete_asset(current_user, asset)
    flash(f"“{asset.title}” deleted.")
    return redirect(url_for("assets.library"), 303)


@bp.get("/assets/downloads")
@vendor_required
def downloads():
    by = "partner" if request.args.get("by") == "partner" else "asset"
    stmt = services.downloads_by_partner() if by == "partner" else services.downloads_by_asset()
    return render("assets/downloads.html", "rows", by=by, page=paginate(stmt, _page(), rows=True))
