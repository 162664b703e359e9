"""The asset library's rules: who sees which asset, uploads and versions, downloads, stats.

With a queue (PORTAL_REDIS_URL) an upload is stored and saved at once, and the
`assets.prepare_version` job reads its text and makes its preview; the search index follows
that job's commit as it follows any other."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal import jobs
from portal.core import audit, clock
from portal.core.database import end_transaction
from portal.core.access import AudienceSpec, apply_audience, audience_key, bit, describe, get_or_404, visible
from portal.core.models import Audience, Organization, OrgKind, Persona, Product, User
from portal.extensions import db
from portal.storage import current_store
from portal.assets import indexing, uploads
from portal.assets.files import FileKind
from portal.assets.uploads import PreparedFile
from portal.assets.models import Asset, AssetType, AssetVersion, Download
from search import Hit, SearchQuery, SearchResult

ROOM_WIDGET_SIZE = 5
SEARCH_PAGE_SIZE = 10
RELATED_SIZE = 4
PREPARE_JOB = "assets.prepare_version"
PREPARE_TIMEOUT = timedelta(minutes=2)  # a large PDF's text and preview
VERSION_GONE = "This version was deleted before its preview was made."


@dataclass
class AssetInput:
    title: str
    summary: str
    asset_type: AssetType
    product_id: int | None
    tags: str
    language: str
    publish_at: datetime
    expire_at: datetime | None
    external_url: str | None
    audience: AudienceSpec


@dataclass
class LibraryFilters:
    asset_type: AssetType | None = None
    product_id: int | None = None
    persona: Persona | None = None
    language: str | None = None
    sort: str = "newest"


SORTS = {
    "newest": (Asset.publish_at.desc(), Asset.id.desc()),
    "popular": (Asset.download_count.desc(), Asset.id.desc()),
    "title": (Asset.title, Asset.id),
}


# --- who sees what -----------------------------------------------------------------------


def assets_for(user: User, persona: Persona | None = None):
    """The one scoped query for assets: vendor staff see all, partners the live ones
    whose audience includes them (and this persona's room, if given)."""
    stmt = sa.select(Asset)
    if user.is_vendor:
        return stmt
    now = clock.now()
    stmt = stmt.where(Asset.publish_at <= now, sa.or_(Asset.expire_at.is_(None), Asset.expire_at > now))
    return visible(stmt, Asset, user, persona)


def get_asset(user: User, asset_id: int) -> Asset:
    return get_or_404(assets_for(user), Asset, asset_id)


def visible_ids(user: User) -> frozenset[str] | None:
    """Ids of the assets a user may find in search; None means no restriction (vendor).

    Computing them reads every asset (about 20 ms at 10,000 assets on SQLite), so the
    answer is kept per audience key and reused while the library's stamp is unchanged.
    The stamp is read from the database on every call, so all workers agree."""
    if user.is_vendor:
        return None
    key, stamp = audience_key(user), _library_stamp()
    cached = _visible_ids_cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ids = frozenset(str(i) for i in db.session.scalars(assets_for(user).with_only_columns(Asset.id)))
    if len(_visible_ids_cache) >= VISIBLE_IDS_CACHE_SIZE:
        _visible_ids_cache.pop(next(iter(_visible_ids_cache)))
    _visible_ids_cache[key] = (stamp, ids)
    return ids


_visible_ids_cache: dict[tuple, tuple[tuple, frozenset[str]]] = {}
VISIBLE_IDS_CACHE_SIZE = 1024


def _library_stamp() -> tuple:
    """Changes whenever who-sees-which-asset may have changed: an asset added, changed
    (audience included, see _apply) or deleted, or now passing a publish or expiry time."""
    now = clock.now()
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.count(Asset.id)).scalar_subquery(),
        sa.select(sa.func.max(Asset.updated_at)).scalar_subquery(),
        sa.select(sa.func.min(Asset.publish_at)).where(Asset.publish_at > now).scalar_subquery(),
        sa.select(sa.func.min(Asset.expire_at)).where(Asset.expire_at > now).scalar_subquery(),
    )).one())


def library(user: User, filters: LibraryFilters):
    stmt = assets_for(user).options(selectinload(Asset.product))
    if filters.asset_type:
        stmt = stmt.where(Asset.asset_type == filters.asset_type)
    if filters.product_id:
        stmt = stmt.where(Asset.product_id == filters.product_id)
    if filters.language:
        stmt = stmt.where(Asset.language == filters.language)
    if filters.persona:
        stmt = stmt.where(Asset.audience_id.in_(_audiences_for_persona(filters.persona)))
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def _audiences_for_persona(persona: Persona):
    """A filter, not access: content made for this persona, or for every persona."""
    wanted = bit(persona)
    return sa.select(Audience.id).where(sa.or_(Audience.personas == 0, Audience.personas.op("&")(wanted) != 0))


def related(user: User, asset: Asset) -> list[Asset]:
    """Other assets about the same product, or else of the same type."""
    same = Asset.product_id == asset.product_id if asset.product_id else Asset.asset_type == asset.asset_type
    stmt = assets_for(user).where(Asset.id != asset.id, same).order_by(Asset.download_count.desc(), Asset.id.desc())
    return db.session.scalars(stmt.limit(RELATED_SIZE)).all()


def products() -> list[Product]:
    return db.session.scalars(sa.select(Product).order_by(Product.name)).all()


# --- search ------------------------------------------------------------------------------


@dataclass
class SearchPage:
    result: SearchResult
    hits: list[tuple[Hit, Asset]]


def search(user: User, text: str, page: int, asset_type: AssetType | None, product: str | None) -> SearchPage:
    """Full-text search. The index filters by the user's allowed assets inside the query,
    and the rows are read again through assets_for(): both must agree to show a hit.
    Raises search.IndexUnavailable when the index is missing or broken."""
    if not text.strip():  # nothing to look for: skip working out the allowed assets
        return SearchPage(SearchResult.empty(page), [])
    query = SearchQuery(text=text, page=max(page, 1), page_size=SEARCH_PAGE_SIZE,
                        asset_type=asset_type.value if asset_type else None, product=product,
                        allowed_ids=visible_ids(user))
    result = indexing.search_index().search(query)
    ids = [int(hit.id) for hit in result.hits]
    stmt = assets_for(user).where(Asset.id.in_(ids)).options(joinedload(Asset.product))  # one statement
    rows = {asset.id: asset for asset in db.session.scalars(stmt)}
    return SearchPage(result, [(hit, rows[int(hit.id)]) for hit in result.hits if int(hit.id) in rows])


# --- the room widget ---------------------------------------------------------------------


def newest_for_room(user: User, persona: Persona) -> list[Asset]:
    stmt = assets_for(user, persona).order_by(Asset.publish_at.desc(), Asset.id.desc())
    return db.session.scalars(stmt.limit(ROOM_WIDGET_SIZE)).all()


def popular_for_room(user: User, persona: Persona) -> list[Asset]:
    stmt = assets_for(user, persona).where(Asset.download_count > 0)
    stmt = stmt.order_by(Asset.download_count.desc(), Asset.id.desc())
    return db.session.scalars(stmt.limit(ROOM_WIDGET_SIZE)).all()


def outdated_downloads(user: User) -> list[tuple[Asset, int]]:
    """Assets this user downloaded whose file has changed since: (asset, version they have)."""
    latest = (
        sa.select(Download.asset_id, sa.func.max(Download.version_number).label("had"))
        .where(Download.user_id == user.id)
        .group_by(Download.asset_id)
        .subquery()
    )
    stmt = (
        assets_for(user)
        .join(latest, latest.c.asset_id == Asset.id)
        .where(latest.c.had < Asset.version)
        .add_columns(latest.c.had)
        .order_by(Asset.updated_at.desc())
    )
    return [(asset, had) for asset, had in db.session.execute(stmt.limit(ROOM_WIDGET_SIZE)).all()]


# --- writing -----------------------------------------------------------------------------


def _snapshot(asset: Asset) -> dict:
    return {
        "title": asset.title,
        "type": asset.asset_type.value,
        "product": asset.product.name if asset.product else None,
        "language": asset.language,
        "publish_at": asset.publish_at.isoformat(),
        "expire_at": asset.expire_at.isoformat() if asset.expire_at else None,
        "version": asset.version,
        "audience": describe(asset.audience),
    }


def _apply(asset: Asset, data: AssetInput) -> None:
    asset.title = data.title
    asset.summary = data.summary
    asset.asset_type = data.asset_type
    asset.product = db.session.get(Product, data.product_id) if data.product_id else None
    asset.tags = ", ".join(tag for tag in (t.strip() for t in data.tags.split(",")) if tag)
    asset.language = data.language
    asset.publish_at = data.publish_at
    asset.expire_at = data.expire_at
    asset.external_url = data.external_url or None
    apply_audience(asset.audience, data.audience)
    asset.updated_at = clock.now()  # also when only the audience changed: see _library_stamp


def create_asset(actor: User, data: AssetInput, file: PreparedFile | None) -> Asset:
    asset = Asset(audience=Audience(), created_by_id=actor.id, version=0, download_count=0)
    _apply(asset, data)
    db.session.add(asset)
    if file is not None:
        _add_version(actor, asset, file)
    db.session.flush()
    audit.record(actor, "asset.created", asset, f"Asset “{asset.title}”", after=_snapshot(asset))
    return asset


def update_asset(actor: User, asset: Asset, data: AssetInput) -> None:
    before = _snapshot(asset)
    _apply(asset, data)
    db.session.flush()
    audit.record(actor, "asset.updated", asset, f"Asset “{asset.title}”", before=before, after=_snapshot(asset))


def add_version(actor: User, asset: Asset, file: PreparedFile) -> AssetVersion:
    before = _snapshot(asset)
    version = _add_version(actor, asset, file)
    asset.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "asset.version_added", asset, f"Asset “{asset.title}”: version {version.number}",
                 before=before, after=_snapshot(asset))
    return version


def _add_version(actor: User, asset: Asset, file: PreparedFile) -> AssetVersion:
    asset.version += 1
    version = AssetVersion(
        number=asset.version, filename=file.filename, kind=file.kind.value, size=file.size,
        sha256=file.sha256, preview_sha256=file.preview_sha, text=file.text, created_by_id=actor.id,
    )
    asset.versions.append(version)
    if not file.derived:
        db.session.flush()
        jobs.enqueue(PREPARE_JOB, requested_by=actor, version_id=version.id)
    return version


def is_preparing(version: AssetVersion | None) -> bool:
    """Whether the version's text and preview are still being made."""
    if version is None:
        return False
    return db.session.scalar(sa.select(sa.exists().where(
        jobs.Job.kind == PREPARE_JOB, jobs.Job.status.in_(jobs.UNFINISHED),
        jobs.Job.args["version_id"].as_integer() == version.id))) is True


@jobs.kind(PREPARE_JOB, timeout=PREPARE_TIMEOUT)
def prepare_version(job: jobs.Job) -> dict:
    """The job: read the stored file's text and make its preview, outside any transaction,
    then save both on the version."""
    version = db.session.get(AssetVersion, job.args["version_id"])
    if version is None:
        raise jobs.JobFailed(VERSION_GONE)
    kind, sha, version_id = FileKind(version.kind), version.sha256, version.id
    end_transaction()
    store = current_store()
    with store.open(sha) as stored:
        text, preview_sha = uploads.derive(kind, stored.read(), store)
    version = db.session.get(AssetVersion, version_id)
    if version is None:
        raise jobs.JobFailed(VERSION_GONE)
    version.text, version.preview_sha256 = text, preview_sha
    return {"preview": preview_sha is not None, "text_chars": len(text)}


def delete_asset(actor: User, asset: Asset) -> None:
    audit.record(actor, "asset.deleted", asset, f"Asset “{asset.title}”", before=_snapshot(asset))
    db.session.delete(asset)


def version_of(asset: Asset, number: int | None) -> AssetVersion | None:
    """The current version, or (vendor staff only, checked by the caller) an older one."""
    if number is None or number == asset.version:
        return asset.current
    return db.session.scalar(sa.select(AssetVersion).where(AssetVersion.asset_id == asset.id,
                                                            AssetVersion.number == number))


def record_download(user: User, asset: Asset, version: AssetVersion) -> None:
    """Every download is recorded; only partners' count toward "most downloaded"."""
    db.session.add(Download(asset_id=asset.id, version_number=version.number, user_id=user.id, org_id=user.org_id))
    if not user.is_vendor:
        # Counted in SQL, so two downloads at once both count.
        db.session.execute(sa.update(Asset).where(Asset.id == asset.id)
                           .values(download_count=Asset.download_count + 1, updated_at=Asset.updated_at))


# --- vendor statistics -------------------------------------------------------------------


def downloads_by_asset():
    """Per asset: downloads and distinct partner orgs, most downloaded first."""
    partner_downloads = _partner_downloads().subquery()
    return (
        sa.select(Asset, sa.func.count(partner_downloads.c.id).label("downloads"),
                  sa.func.count(sa.distinct(partner_downloads.c.org_id)).label("partners"))
        .outerjoin(partner_downloads, partner_downloads.c.asset_id == Asset.id)
        .group_by(Asset.id)
        .order_by(sa.desc("downloads"), Asset.title)
    )


def downloads_by_partner(asset_id: int | None = None):
    """Per partner org: downloads and distinct assets (of one asset, if given)."""
    stmt = (
        sa.select(Organization, sa.func.count(Download.id).label("downloads"),
                  sa.func.count(sa.distinct(Download.asset_id)).label("assets"),
                  sa.func.max(Download.at).label("last_at"))
        .join(Download, Download.org_id == Organization.id)
        .where(Organization.kind == OrgKind.partner)
        .group_by(Organization.id)
        .order_by(sa.desc("downloads"), Organization.name)
    )
    return stmt.where(Download.asset_id == asset_id) if asset_id else stmt


def top_partners(asset: Asset, limit: int = 10) -> list:
    """The partner orgs that downloaded this asset most: (org, downloads, assets, last_at) rows."""
    return db.session.execute(downloads_by_partner(asset.id).limit(limit)).all()


def _partner_downloads():
    return (sa.select(Download.id, Download.asset_id, Download.org_id)
            .join(Organization, Organization.id == Download.org_id)
            .where(Organization.kind == OrgKind.partner))


def version_download_counts(asset: Asset) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Download.version_number, sa.func.count(Download.id))
        .where(Download.asset_id == asset.id).group_by(Download.version_number)
    ).all()
    return dict(rows)
