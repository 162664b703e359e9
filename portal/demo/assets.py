"""The asset library's demo content.

`seed_demo_assets` gives the vendor a product list and a library of real files (PDF
datasheets, Word and PowerPoint documents, Excel price lists, images, text, videos),
made through the real upload pipeline so search, previews and versions have something
to show. The library's specs and the documents' text are in data/library.json.

Tests seed a fresh database for almost every test, so building the files and running
them through `prepare()` happens once per process; later seeds write the same blobs into
the current store and reuse the prepared result.
"""
import functools
import hashlib
import html
import io
import json
import random
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from docx import Document as WordDocument
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Inches, Pt

from portal.assets import services
from portal.assets.uploads import PreparedFile, prepare
from portal.assets.models import Asset, AssetType
from portal.core import clock
from portal.core.access import AudienceSpec
from portal.core.models import (
    Organization, OrgKind, PartnerType, Persona, Product, Region, User,
)
from portal.extensions import db
from portal.pdf import render_pdf
from portal.storage import BlobStore, current_store, read

# --- Products and audiences ----------------------------------------------------------

PRODUCTS = {  # name: brand colour of its documents
    "Acme Cloud Platform": "#1f5fbf",
    "Acme Backup": "#0f8a6c",
    "Acme Secure Edge": "#c2410c",
    "Acme Analytics": "#7c3aed",
    "Acme Identity": "#be185d",
    "Acme Observability": "#0e7490",
}
VENDOR_COLOUR = "#2563eb"

AUDIENCES = {
    "everyone": AudienceSpec(),
    "silver_up": AudienceSpec.tier_floor("silver"),
    "gold_up": AudienceSpec.tier_floor("gold"),
    "platinum": AudienceSpec(tiers=frozenset({"platinum"})),
    "sales": AudienceSpec(personas=frozenset({Persona.sales})),
    "presales": AudienceSpec(personas=frozenset({Persona.presales})),
    "marketing": AudienceSpec(personas=frozenset({Persona.marketing})),
    "post_sales": AudienceSpec(personas=frozenset({Persona.post_sales})),
    "msp": AudienceSpec(partner_types=frozenset({PartnerType.msp})),
    "emea": AudienceSpec(regions=frozenset({Region.EMEA})),
    "na": AudienceSpec(regions=frozenset({Region.NA})),
    "latam": AudienceSpec(regions=frozenset({Region.LATAM})),
}
NAMED_ORG_AUDIENCE = "Harborline IT"  # an audience key that names one partner org

# This user downloads version 1 of the versioned asset, so their room says a newer one exists.
STALE_DOWNLOADER = "marketing@gold.demo"
VERSIONED_TITLE = "Product Overview Datasheet"

# --- Price lists ----------------------------------------------------------------------

PRICE_ROWS = [  # SKU, product, edition, unit, annual list price in USD
    ("ACP-STD-VCPU", "Acme Cloud Platform", "Standard", "vCPU", 96),
    ("ACP-PRO-VCPU", "Acme Cloud Platform", "Professional", "vCPU", 144),
    ("ACP-ENT-VCPU", "Acme Cloud Platform", "Enterprise", "vCPU", 210),
    ("BKP-VM", "Acme Backup", "Standard", "protected VM", 180),
    ("BKP-M365", "Acme Backup", "Microsoft 365", "user", 24),
    ("BKP-VAULT-TB", "Acme Backup", "Vault storage", "TB", 260),
    ("SE-ZTNA-USER", "Acme Secure Edge", "ZTNA", "user", 72),
    ("SE-SASE-USER", "Acme Secure Edge", "SASE", "user", 120),
    ("SE-100", "Acme Secure Edge", "Appliance SE-100", "site", 1900),
    ("SE-500", "Acme Secure Edge", "Appliance SE-500", "site", 6400),
    ("ANL-STD-GB", "Acme Analytics", "Standard", "GB ingested per day", 1100),
    ("ANL-PRO-GB", "Acme Analytics", "Professional", "GB ingested per day", 1650),
    ("IDN-SSO-USER", "Acme Identity", "SSO + MFA", "user", 36),
    ("IDN-LCM-USER", "Acme Identity", "Lifecycle", "user", 54),
    ("OBS-HOST", "Acme Observability", "Standard", "host", 216),
]
PRICE_HEADERS = {
    "en": ("SKU", "Product", "Edition", "Unit", "List price", "Partner price"),
    "es": ("Referencia", "Producto", "Edición", "Unidad", "Precio de lista", "Precio socio"),
}


class PriceSheet(NamedTuple):
    currency: str
    term: str  # what a price covers, shown in the sheet's title
    factor: float  # applied to PRICE_ROWS' annual USD list prices
    discount: float  # the partner price's discount off this sheet's list price


PRICE_SHEETS = {
    "2026": PriceSheet("USD", "annual subscription", 1.0, 0.18),
    "2025": PriceSheet("USD", "annual subscription", 0.94, 0.18),
    "msp": PriceSheet("USD", "per month, billed on consumption", 1.1 / 12, 0.25),
    "distributor": PriceSheet("EUR", "annual subscription", 0.93, 0.42),
    "latam": PriceSheet("USD", "suscripción anual", 1.0, 0.2),
}


class Artwork(NamedTuple):
    style: str  # "logos", "badge" or "banner"
    size: tuple[int, int]
    headline: str
    tagline: str = ""


# --- The library -----------------------------------------------------------------------


class DemoAsset(NamedTuple):
    title: str
    asset_type: AssetType
    product: str | None
    audience: str  # a key of AUDIENCES, or NAMED_ORG_AUDIENCE
    days_ago: int  # when it was published; negative means scheduled
    summary: str
    tags: str
    file: str | None = None  # its extension picks the format
    sections: tuple[str, ...] = ()
    price_sheet: str | None = None
    artwork: Artwork | None = None
    language: str = "en"
    expired_days_ago: int | None = None
    video_url: str | None = None


LIBRARY = Path(__file__).resolve().parent / "data" / "library.json"
# VERSIONED_TITLE's second version: its file, and the sections it adds
NEW_VERSION = ("acme-product-overview-datasheet-2026-2.pdf", ("platform.whats_new",))


class Library(NamedTuple):
    sections: dict[str, tuple[str, list[str]]]  # key: (heading, paragraphs); in a deck, a slide of bullets
    assets: list[DemoAsset]


@functools.cache
def library() -> Library:
    """The library's specs and the documents' text, from data/library.json."""
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    sections = {key: (section["heading"], section["paragraphs"]) for key, section in data["sections"].items()}
    return Library(sections, [_demo_asset(item) for item in data["assets"]])


def _demo_asset(item: dict) -> DemoAsset:
    artwork = item.get("artwork")
    return DemoAsset(**item | {
        "asset_type": AssetType(item["asset_type"]), "sections": tuple(item.get("sections", ())),
        "artwork": Artwork(**artwork | {"size": tuple(artwork["size"])}) if artwork else None,
    })


def _new_version(spec: DemoAsset) -> DemoAsset:
    file, added = NEW_VERSION
    return spec._replace(file=file, sections=spec.sections + added)


# --- Seeding the demo library ------------------------------------------------------------


def seed_demo_assets(orgs: dict[str, Organization], author: User) -> None:
    """The products, the library's assets with their files, some downloads and a second version."""
    products = _seed_products()
    store = current_store()
    created, specs = {}, {}
    for spec in library().assets:
        file = _prepared(spec, store) if spec.file else None
        created[spec.title] = services.create_asset(author, _asset_input(spec, orgs, products), file)
        specs[spec.title] = spec
    _record_downloads(created)
    services.add_version(author, created[VERSIONED_TITLE], _prepared(_new_version(specs[VERSIONED_TITLE]), store))


def _seed_products() -> dict[str, Product]:
    products = {name: Product(name=name) for name in PRODUCTS}
    db.session.add_all(products.values())
    db.session.flush()
    return products


def _asset_input(spec: DemoAsset, orgs: dict[str, Organization], products: dict[str, Product]) -> services.AssetInput:
    now = clock.now()
    return services.AssetInput(
        title=spec.title, summary=spec.summary, asset_type=spec.asset_type,
        product_id=products[spec.product].id if spec.product else None,
        tags=spec.tags, language=spec.language,
        publish_at=now - timedelta(days=spec.days_ago),
        expire_at=now - timedelta(days=spec.expired_days_ago) if spec.expired_days_ago else None,
        external_url=spec.video_url, audience=_audience(spec.audience, orgs),
    )


def _audience(key: str, orgs: dict[str, Organization]) -> AudienceSpec:
    if key == NAMED_ORG_AUDIENCE:
        return AudienceSpec(org_ids=frozenset({orgs[key].id}))
    return AUDIENCES[key]


def _record_downloads(assets: dict[str, Asset]) -> None:
    """A repeatable spread of partner downloads, each of an asset its user may see."""
    partners = db.session.scalars(
        sa.select(User).join(Organization, User.org).where(Organization.kind == OrgKind.partner).order_by(User.id)
    ).all()
    stale = next(user for user in partners if user.email == STALE_DOWNLOADER)
    versioned = assets[VERSIONED_TITLE]
    services.record_download(stale, versioned, versioned.current)
    rng = random.Random(2026)
    for user in partners:
        visible = set(db.session.scalars(services.assets_for(user).with_only_columns(Asset.id)))
        downloadable = [asset for asset in assets.values() if asset.id in visible and asset.version]
        for asset in rng.choices(downloadable, k=rng.randint(2, 7)):
            services.record_download(user, asset, asset.current)


# --- Files: built and prepared once per process -------------------------------------------

_prepared_files: dict[tuple[str, str], tuple[PreparedFile, bytes | None]] = {}


def _prepared(spec: DemoAsset, store: BlobStore) -> PreparedFile:
    """prepare() the first time; later (each test has its own store) only write the blobs."""
    data = demo_file(spec)
    key = (spec.file, hashlib.sha256(data).hexdigest())
    if key not in _prepared_files:
        prepared = prepare(data, spec.file, store)
        preview = read(store, prepared.preview_sha) if prepared.preview_sha else None
        _prepared_files[key] = prepared, preview
        return prepared
    prepared, preview = _prepared_files[key]
    for blob in (data, preview):
        if blob is not None:
            store.put(blob, durable=False)  # demo files can always be made again
    return prepared


@functools.cache
def demo_file(spec: DemoAsset) -> bytes:
    """The bytes of a demo asset's file, the same on every call."""
    extension = spec.file.rsplit(".", 1)[1]
    return _RENDERERS[extension](spec)


def _sections(spec: DemoAsset) -> list[tuple[str, list[str]]]:
    return [library().sections[key] for key in spec.sections]


def _colour(spec: DemoAsset) -> str:
    return PRODUCTS.get(spec.product, VENDOR_COLOUR)


def _kicker(spec: DemoAsset) -> str:
    """The small line above a title, e.g. "DATASHEET · ACME BACKUP"."""
    return " · ".join(part.upper() for part in (spec.asset_type.label, spec.product) if part)


PDF_STYLE = """
@page { size: A4; margin: 16mm 16mm 20mm;
        @bottom-left { content: "Acme Cloud Inc. · acme-cloud.example · For partner use";
                       font: 7.5pt 'Liberation Sans'; color: #64748b }
        @bottom-right { content: counter(page); font: 7.5pt 'Liberation Sans'; color: #64748b } }
@page :first { margin-top: 0 }
body { font: 9.5pt/1.45 'Liberation Sans', sans-serif; color: #1e293b }
header { margin: 0 -16mm 8mm; padding: 9mm 16mm 7mm; background: VAR_COLOUR; color: white }
header .brand { font-weight: bold; font-size: 11pt; letter-spacing: 0.08em }
header .kicker { font-size: 8pt; letter-spacing: 0.12em; opacity: 0.85; margin-top: 1mm }
h1 { font-size: 22pt; line-height: 1.15; margin: 0 0 3mm; color: #0f172a }
.lede { font-size: 11.5pt; color: #475569; margin: 0 0 6mm; padding-bottom: 5mm;
        border-bottom: 2pt solid VAR_COLOUR }
.columns { column-count: 2; column-gap: 9mm }
h2 { font-size: 11.5pt; color: VAR_COLOUR; margin: 0 0 2mm; break-after: avoid }
section { margin-bottom: 5mm }
p { margin: 0 0 2.5mm; text-align: left }
"""


def _pdf(spec: DemoAsset) -> bytes:
    body = "".join(
        f"<section><h2>{html.escape(heading)}</h2>"
        + "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        + "</section>"
        for heading, paragraphs in _sections(spec)
    )
    page = (
        f"<!doctype html><html lang='{spec.language}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(spec.title)}</title><style>{PDF_STYLE.replace('VAR_COLOUR', _colour(spec))}</style>"
        f"</head><body><header><div class='brand'>ACME CLOUD</div>"
        f"<div class='kicker'>{html.escape(_kicker(spec))}</div></header>"
        f"<h1>{html.escape(spec.title)}</h1><p class='lede'>{html.escape(spec.summary)}</p>"
        f"<div class='columns'>{body}</div></body></html>"
    )
    return render_pdf(page, store=current_store())  # the one renderer; this page loads nothing


# Office files carry the times they were made and saved; a fixed one keeps their bytes the same.
FIXED_TIME = datetime(2026, 1, 5, 9, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _docx(spec: DemoAsset) -> bytes:
    document = WordDocument()
    _set_core_properties(document.core_properties, spec)
    document.add_paragraph(_kicker(spec))
    document.add_heading(spec.title, level=0)
    document.add_paragraph().add_run(spec.summary).italic = True
    for heading, paragraphs in _sections(spec):
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    return _saved(document)


def _pptx(spec: DemoAsset) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    _set_core_properties(deck.core_properties, spec)
    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    title_slide.shapes.title.text = spec.title
    title_slide.placeholders[1].text = spec.summary
    for heading, bullets in _sections(spec):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            body.add_paragraph().text = bullet
        for paragraph in body.paragraphs:
            paragraph.font.size = Pt(24)
    return _saved(deck)


def _set_core_properties(properties, spec: DemoAsset) -> None:
    properties.title = spec.title
    properties.author = "Acme Cloud Partner Marketing"
    properties.language = spec.language
    properties.created = properties.modified = FIXED_TIME
    properties.last_printed = FIXED_TIME


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return _without_save_times(output.getvalue())


def _without_save_times(office_file: bytes) -> bytes:
    """Office files are ZIP archives whose entries carry the time of saving, and openpyxl
    also writes it into the document properties whatever they say."""
    output = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(office_file)) as source,
          zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target):
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + FIXED_TIME.isoformat().encode() + rb"Z\2", content)
            target.writestr(zipfile.ZipInfo(entry.filename, FIXED_TIME.timetuple()[:6]), content)
    return output.getvalue()


def _xlsx(spec: DemoAsset) -> bytes:
    sheet_spec = PRICE_SHEETS[spec.price_sheet]
    workbook = Workbook()
    workbook.properties.creator = "Acme Cloud Channel Operations"
    workbook.properties.created = FIXED_TIME
    prices = workbook.active
    prices.title = "Prices"
    _fill_price_sheet(prices, spec, sheet_spec)
    terms = workbook.create_sheet("Terms")
    terms.column_dimensions["A"].width = 110
    for heading, paragraphs in _sections(spec):
        terms.append([heading])
        terms.cell(terms.max_row, 1).font = Font(bold=True)
        for paragraph in paragraphs:
            terms.append([paragraph])
            terms.cell(terms.max_row, 1).alignment = Alignment(wrap_text=True)
    return _saved(workbook)


def _fill_price_sheet(sheet, spec: DemoAsset, sheet_spec: PriceSheet) -> None:
    sheet.append([f"{spec.title} ({sheet_spec.currency}, {sheet_spec.term})"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(PRICE_HEADERS.get(spec.language, PRICE_HEADERS["en"]))
    fill = PatternFill("solid", fgColor=VENDOR_COLOUR.lstrip("#"))
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
    money = f'#,##0.00 "{sheet_spec.currency}"'
    for sku, product, edition, unit, price in PRICE_ROWS:
        list_price = round(price * sheet_spec.factor, 2)
        sheet.append([sku, product, edition, unit, list_price, round(list_price * (1 - sheet_spec.discount), 2)])
        for cell in sheet[sheet.max_row][4:]:
            cell.number_format = money
    for column, width in zip("ABCDEF", (16, 24, 20, 22, 16, 16)):
        sheet.column_dimensions[column].width = width


def _markdown(spec: DemoAsset) -> bytes:
    parts = [f"# {spec.title}", f"_{spec.summary}_"]
    for heading, paragraphs in _sections(spec):
        parts.append(f"## {heading}")
        parts.extend(paragraphs)
    return ("\n\n".join(parts) + "\n").encode()


def _text(spec: DemoAsset) -> bytes:
    parts = [f"{spec.title}\n{'=' * len(spec.title)}", spec.summary]
    for heading, paragraphs in _sections(spec):
        parts.append(f"{heading}\n{'-' * len(heading)}")
        parts.extend(paragraphs)
    return ("\n\n".join(parts) + "\n").encode()


def _png(spec: DemoAsset) -> bytes:
    return _encoded(_draw(spec), "PNG")


def _jpeg(spec: DemoAsset) -> bytes:
    return _encoded(_draw(spec).convert("RGB"), "JPEG", quality=88)


def _encoded(image: Image.Image, image_format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def _draw(spec: DemoAsset) -> Image.Image:
    art = spec.artwork
    painter = {"logos": _logo_sheet, "badge": _badge, "banner": _banner}[art.style]
    return painter(art, _colour(spec))


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size)


def _logo(draw: ImageDraw.ImageDraw, origin: tuple[int, int], mark: str, text: str, wordmark: str) -> None:
    """The Acme Cloud mark (three overlapping circles) and the wordmark beside it."""
    x, y = origin
    for dx, dy, radius in ((0, 18, 26), (30, 0, 34), (64, 20, 24)):
        draw.ellipse((x + dx, y + dy, x + dx + 2 * radius, y + dy + 2 * radius), fill=mark)
    draw.text((x + 130, y + 18), wordmark, font=_font(52), fill=text)


def _logo_sheet(art: Artwork, colour: str) -> Image.Image:
    width, height = art.size
    image = Image.new("RGB", art.size, "white")
    draw = ImageDraw.Draw(image)
    third = height // 3
    _logo(draw, (60, 40), colour, "#0f172a", art.headline)
    draw.rectangle((0, third, width, 2 * third), fill=colour)
    _logo(draw, (60, third + 40), "white", "white", art.headline)
    draw.rectangle((0, 2 * third, width, height), fill="#0f172a")
    _logo(draw, (60, 2 * third + 40), "#94a3b8", "#e2e8f0", art.headline)
    draw.text((width - 330, height - 40), "Clear space: the height of the mark", font=_font(18), fill="#94a3b8")
    return image


def _badge(art: Artwork, colour: str) -> Image.Image:
    size = art.size[0]
    image = Image.new("RGBA", art.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, size - 20, size - 20), fill="#b8860b")
    draw.ellipse((60, 60, size - 60, size - 60), fill="#fbbf24", outline="white", width=8)
    centre = size // 2
    draw.text((centre, centre - 90), "ACME CLOUD", font=_font(48), fill="#1e293b", anchor="mm")
    draw.text((centre, centre + 10), art.headline, font=_font(150), fill="#1e293b", anchor="mm")
    draw.text((centre, centre + 120), art.tagline, font=_font(56), fill="#1e293b", anchor="mm")
    return image


def _banner(art: Artwork, colour: str) -> Image.Image:
    width, height = art.size
    image = Image.new("RGB", art.size, colour)
    draw = ImageDraw.Draw(image)
    for step in range(8):  # soft circles on the right, like the brand's print ads
        radius = height // 2 + step * 40
        draw.ellipse((width - radius, height - radius, width + radius, height + radius),
                     outline=(255, 255, 255), width=3)
    margin = width // 16
    headline_size = width // 22
    draw.text((margin, margin), "ACME CLOUD", font=_font(headline_size // 2), fill="white")
    draw.multiline_text((margin, margin + headline_size), _wrapped(art.headline, 28),
                        font=_font(headline_size), fill="white", spacing=12)
    button_top = height - margin - headline_size
    draw.rounded_rectangle((margin, button_top, margin + width // 2.2, button_top + headline_size),
                           radius=12, fill="white")
    draw.text((margin + 24, button_top + headline_size // 2), art.tagline,
              font=_font(headline_size // 2), fill=colour, anchor="lm")
    return image


def _wrapped(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


_RENDERERS = {
    "pdf": _pdf, "docx": _docx, "pptx": _pptx, "xlsx": _xlsx, "md": _markdown, "txt": _text,
    "png": _png, "jpg": _jpeg,
}
