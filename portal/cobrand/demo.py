"""Demo brand kits: Gold (Summit Peak Systems) has a full kit with a generated logo;
Silver (Harborline IT) and the others are left empty, to show the empty state."""
import functools
import io

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from portal.cobrand import services
from portal.cobrand.logos import PreparedLogo, prepare_logo
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


def seed_demo_brand_kits() -> None:
    org = db.session.scalar(sa.select(Organization).where(Organization.name == GOLD))
    editor = db.session.scalar(sa.select(User).where(User.email == GOLD_EDITOR))
    services.save_kit(editor, org, GOLD_KIT, demo_logo())


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
