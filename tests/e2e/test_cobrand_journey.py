"""A partner marketer co-brands the vendor's flyer: from her marketing room she opens the
template (click 1), types a message and sees it in the live preview without a reload, makes
the PDF (click 2) and downloads it (click 3). The PDF carries her text, her org's details
and the vendor's content as real text, and page 1 shows her logo in its slot."""
import re
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image
from playwright.sync_api import expect

from e2e_support import sign_in
from portal.demo.cobrand import GOLD_KIT

pytestmark = pytest.mark.e2e

MESSAGE = "Colorado's Acme Cloud experts: 40 migrations and counting. Ask Maya for a free assessment."
LOGO_GREEN = (29, 107, 79)  # the summit of the Gold demo logo (portal.demo.cobrand)


def test_marketer_co_brands_the_flyer_in_three_clicks(page, tmp_path):
    sign_in(page, "marketing@gold.demo")
    expect(page).to_have_url(re.compile(r"/rooms/marketing$"))
    card = page.locator("#room-cobrand")
    expect(card.get_by_role("heading", name="Co-branded collateral")).to_be_visible()

    card.get_by_role("link", name=re.compile("Product Overview Flyer")).click()  # click 1
    expect(page.get_by_role("heading", name="Product Overview Flyer", level=1)).to_be_visible()
    page.evaluate("window.__notReloaded = true")  # lost if the page reloads
    preview = page.frame_locator("iframe.cobrand-frame")
    expect(preview.get_by_text(GOLD_KIT.display_name).first).to_be_visible()

    page.get_by_label("Your message").press_sequentially(MESSAGE, delay=5)
    expect(preview.get_by_text(MESSAGE)).to_be_visible()  # the preview follows the typing
    assert page.evaluate("window.__notReloaded") is True
    expect(page.get_by_text("Brand checks passed")).to_be_visible()

    page.get_by_role("button", name="Create PDF").click()  # click 2
    ready = page.get_by_role("heading", name="Your PDF is ready")
    expect(ready).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()  # click 3
    download = download_info.value
    assert download.suggested_filename == "product-overview-flyer-summit-peak-systems.pdf"
    pdf_path = tmp_path / "flyer.pdf"
    download.save_as(pdf_path)

    reader = pypdf.PdfReader(pdf_path)
    assert len(reader.pages) == 2
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (MESSAGE, GOLD_KIT.display_name, GOLD_KIT.email, GOLD_KIT.phone, "Run every workload."):
        assert expected in text, expected

    cover = render_first_page(pdf_path, tmp_path)
    cover.save(tmp_path / "cover.png")  # kept with the test's files, to look at
    assert logo_in_header(cover), "the partner's logo is not in its slot at the top right of page 1"


def render_first_page(pdf_path, tmp_path) -> Image.Image:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to look at the PDF"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("RGB")


def logo_in_header(image: Image.Image) -> bool:
    """Logo-green pixels in the header's right half (the "Brought to you by" slot), and none
    in its left half (the vendor's own logo there is blue)."""
    width, height = image.size
    header = image.crop((0, 0, width, int(height * 0.12)))

    def greens(box) -> int:
        part = header.crop(box)
        return sum(1 for pixel in part.get_flattened_data() if all(abs(a - b) <= 30 for a, b in zip(pixel, LOGO_GREEN)))

    return greens((width // 2, 0, width, header.height)) > 50 and greens((0, 0, width // 2, header.height)) == 0
