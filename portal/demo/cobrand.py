"""Demo co-branding: Gold (Summit Peak Systems) has a full brand kit with a generated logo;
Silver (Harborline IT) and the others are left empty, to show the empty state. Two vendor
templates: "Product Overview Flyer" for everyone and a Gold-only invitation."""
import functools
import io
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from portal.cobrand import collateral, services
from portal.cobrand.designs import Design, default_limits
from portal.cobrand.logos import PreparedLogo, prepare_logo
from portal.cobrand.models import ActivityKind
from portal.core.access import AudienceSpec
from portal.core.models import Organization, User
from portal.extensions import db

GOLD = "Summit Peak Systems"
GOLD_EDITOR = "marketing@gold.demo"
GOLD_KIT = services.KitInput(
    display_name="Summit Peak Systems",
    tagline="Cloud infrastructure, from base camp to summit",
    website="https://summitpeak.example",
    email="partners@summitpeak.example",
    phone="+1 303 555 0142",
    address="1600 Summit Ridge Drive\nSuite 400\nDenver, CO 80202\nUnited States",
    accent_color="#1D6B4F",
)
LOGO_SIZE = (760, 240)
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


TEMPLATE_AUTHOR = "admin@vendor.demo"
DESIGNS = Path(__file__).resolve().parent / "data" / "designs"
# (title, description, design file name, paper, audience)
TEMPLATES = [
    ("Product Overview Flyer",
     "Two pages on the Acme Cloud Platform: the three products, why customers move, what is included. "
     "Your logo on the cover and a contact card on page 2.",
     "product-overview-flyer", "A4", AudienceSpec()),
    ("Executive Briefing Invitation (Gold)",
     "Invite IT leaders to a roadmap briefing you host with Acme Cloud. One US Letter page; for Gold partners.",
     "gold-executive-briefing", "letter", AudienceSpec(tiers=frozenset({"gold"}))),
]


def seed_demo_brand_kits() -> None:
    org = db.session.scalar(sa.select(Organization).where(Organization.name == GOLD))
    editor = db.session.scalar(sa.select(User).where(User.email == GOLD_EDITOR))
    services.save_kit(editor, org, GOLD_KIT, demo_logo())


GOLD_MESSAGE = ("Summit Peak has moved more than 40 Colorado companies to Acme Cloud. "
                "Book a free workload assessment with our certified architects.")


def seed_demo_templates() -> None:
    """The two templates, and one flyer Gold's marketer made and downloaded (so the vendor's
    "who co-brands what" has a row)."""
    author = db.session.scalar(sa.select(User).where(User.email == TEMPLATE_AUTHOR))
    made = []
    for title, description, name, paper, audience in TEMPLATES:
        design = demo_design(name, paper)
        data = collateral.TemplateInput(title=title, description=description, audience=audience, design=design)
        template = collateral.save_template(author, None, data, _sample(name, paper, title))
        collateral.set_live(author, template, True)
        made.append(template)
    _seed_gold_flyer(made[0])


def _seed_gold_flyer(flyer) -> None:
    marketer = db.session.scalar(sa.select(User).where(User.email == GOLD_EDITOR))
    kit = services.kit_for(marketer.org)
    typed = collateral.Typed(custom_message=GOLD_MESSAGE)
    version = flyer.versions[0]
    key = collateral.cache_key(version, marketer.org, kit, typed)
    if key not in _rendered:  # the same key in every seed of this process: render once
        _rendered[key] = collateral.render_for(version, kit, typed, flyer.title)
    pdf = collateral.store_pdf(marketer, version, key, typed, _rendered[key])
    collateral.record(marketer, pdf, ActivityKind.downloaded)


_rendered: dict[str, collateral.Rendered] = {}


def demo_design(name: str, paper: str) -> Design:
    return Design((DESIGNS / f"{name}.html").read_text(), (DESIGNS / f"{name}.css").read_text(), paper,
                  default_limits())


@functools.cache
def _sample(name: str, paper: str, title: str) -> collateral.SampleRender:
    """Rendered once per process: each test's seed then only stores the thumbnail."""
    return collateral.sample_render(demo_design(name, paper), title)


@functools.cache
def demo_logo() -> PreparedLogo:
    """The Gold logo, drawn and put through the upload pipeline once per process (each
    test's seed then only writes the blob)."""
    return prepare_logo(_draw_logo())


def _draw_logo() -> bytes:
    """A mountain mark (two peaks, a snowcap) and the name, on a transparent background."""
    image = Image.new("RGBA", LOGO_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    forest, pine, snow, ink = (29, 107, 79, 255), (62, 143, 110, 255), (214, 236, 226, 255), (27, 34, 51, 255)
    draw.polygon([(20, 210), (105, 95), (190, 210)], fill=pine)          # the far peak
    draw.polygon([(70, 210), (160, 40), (250, 210)], fill=forest)        # the summit
    draw.polygon([(160, 40), (133, 91), (148, 84), (160, 97), (173, 84), (187, 91)], fill=snow)
    draw.rectangle([(20, 210), (250, 218)], fill=forest)
    draw.text((278, 78), "Summit Peak", font=_font(58), fill=ink)
    draw.text((281, 150), "SYSTEMS", font=_font(32), fill=forest)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_FONT, size)
    except OSError:  # no DejaVu on this system: Pillow's own font
        return ImageFont.load_default(size)
