"""Partner logos for co-branded material: checked, then re-encoded by Pillow.

Independent of Flask and the database, like portal.assets.files. A logo ends up inside
PDFs that other people open, so we never pass a partner's file on as it came: its type is
read from its bytes (the name is not used, and not kept), it must decode completely, and
what we store is a fresh PNG or JPEG written by Pillow from the pixels alone, with no
metadata (EXIF with GPS positions, ICC profiles, text chunks, thumbnails) carried over.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from portal.assets.files import JPEG_SIGNATURE, PNG_SIGNATURE, FileKind, FileRejected, jpeg_is_complete

logger = logging.getLogger(__name__)

# A logo is a small graphic: 5 MB is generous for a PNG of the largest size we keep, and
# keeps a request from making us hold and decode something far bigger.
MAX_LOGO_BYTES = 5 * 1024 * 1024
# Well below Pillow's own decompression-bomb limit (about 89 Mpx). Decoding costs memory in
# pixels, not bytes: 25 Mpx is about 100 MB as RGBA, the most we let one upload take.
MAX_LOGO_PIXELS = 25_000_000
# Print needs about 300 pixels per inch. A logo in a flyer's header or a contact block is
# printed about 1 inch (2.5 cm) wide, so fewer than 300 px on its longer side would print
# soft or blocky. Smaller logos are refused, not scaled up (that only adds blur).
MIN_PRINT_EDGE = 300
# Nothing prints a logo wider than a few inches, so bigger ones are scaled down to keep
# co-branded PDFs light (2400 px is 8 inches at 300 dpi).
MAX_STORED_EDGE = 2400
JPEG_QUALITY = 92

ACCEPTED = (f"Logos must be PNG or JPEG, at least {MIN_PRINT_EDGE} px on the longer side and at most "
            f"{MAX_LOGO_BYTES // (1024 * 1024)} MB. A PNG with a transparent background works best.")

# Signatures of image and document types people try, so the message can say what the file is.
_OTHER_TYPES = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon (ICO) file"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
)


@dataclass(frozen=True)
class PreparedLogo:
    """A logo as we store it: Pillow's re-encoding, never the uploaded bytes."""

    data: bytes
    kind: FileKind  # png or jpeg
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def prepare_logo(data: bytes) -> PreparedLogo:
    """Check an uploaded logo and re-encode it. Raises FileRejected (a sentence for the
    uploader) for anything that is not a complete PNG or JPEG of a usable size."""
    if not data:
        raise FileRejected(f"This file is empty. {ACCEPTED}")
    if len(data) > MAX_LOGO_BYTES:
        raise FileRejected(f"This file is {len(data) / (1024 * 1024):.1f} MB, too large for a logo. {ACCEPTED}")
    kind = _kind(data)
    _verify(kind, data)
    with _open(kind, data) as image:
        try:
            image.load()
        except Exception:  # truncated or damaged pixel data; Pillow uses many exception types
            raise _damaged(kind) from None
        try:
            return _encode(kind, _clean_pixels(image))
        except Exception:  # e.g. malformed EXIF or an odd mode: a refusal, never a 500
            logger.warning("Could not re-encode an uploaded %s", kind.label, exc_info=True)
            raise _damaged(kind) from None


def _kind(data: bytes) -> FileKind:
    if data.startswith(PNG_SIGNATURE):
        return FileKind.png
    if data.startswith(JPEG_SIGNATURE):
        return FileKind.jpeg
    raise FileRejected(f"This file is {_describe(data)}, not a PNG or JPEG image. {ACCEPTED}")


def _describe(data: bytes) -> str:
    head = data[:1024]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if b"<svg" in head.lower():
        return "an SVG image"
    for signature, description in _OTHER_TYPES:
        if head.startswith(signature):
            return description
    return "not an image we can read (whatever its name says)"


def _damaged(kind: FileKind) -> FileRejected:
    return FileRejected(f"This {kind.label} is damaged or incomplete and can't be opened. "
                        f"Export it again and upload the new file. {ACCEPTED}")


def _open(kind: FileKind, data: bytes) -> Image.Image:
    """The image with only its header read; refuses sizes we won't decode, before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=[kind.value.upper()])
    # Pillow refuses (error) or warns about (a warning, which is an error under pytest)
    # sizes past its own limit; both mean too many pixels.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(kind) from None
    except Exception:
        raise _damaged(kind) from None
    width, height = image.size
    if width * height > MAX_LOGO_PIXELS:
        image.close()
        raise _too_many_pixels(kind, width, height)
    if max(width, height) < MIN_PRINT_EDGE:
        image.close()
        raise FileRejected(
            f"This logo is {width} × {height} px, too small to print sharply: it needs at least "
            f"{MIN_PRINT_EDGE} px on its longer side. Export it larger (from the original artwork, "
            f"not by enlarging this file). {ACCEPTED}")
    return image


def _too_many_pixels(kind: FileKind, width: int | None = None, height: int | None = None) -> FileRejected:
    size = f" ({width} × {height} px)" if width else ""
    return FileRejected(f"This {kind.label} has too many pixels{size}: a logo can have at most "
                        f"{MAX_LOGO_PIXELS // 1_000_000} million. Export it smaller. {ACCEPTED}")


def _verify(kind: FileKind, data: bytes) -> None:
    """Pillow's structural check (for PNG: every chunk and its checksum; verify() leaves the
    image unusable, so the caller opens it again to decode it), and for JPEG, for which
    Pillow's verify() checks nothing, a walk of its segments to the end-of-image marker."""
    with _open(kind, data) as image:
        try:
            image.verify()
        except Exception:
            raise _damaged(kind) from None
    if kind is FileKind.jpeg and not jpeg_is_complete(data):
        raise _damaged(kind)


def _clean_pixels(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, upright, at most MAX_STORED_EDGE, with no metadata."""
    image = ImageOps.exif_transpose(image)  # EXIF is dropped, so apply its rotation now
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit greyscale: a plain convert would clip every value above 255 to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    image = _to_srgb(image, has_alpha)
    image.thumbnail((MAX_STORED_EDGE, MAX_STORED_EDGE), Image.Resampling.LANCZOS)
    # Rebuilt from raw pixels, so nothing from the upload's info (EXIF, ICC, text) survives.
    return Image.frombytes(image.mode, image.size, image.tobytes())


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, has_alpha: bool) -> Image.Image:
    """Convert to RGB(A). Colours described by an embedded ICC profile (a CMYK print
    profile, Adobe RGB, Display P3) are converted to sRGB through it, because the profile
    itself is dropped; without a profile, or when it can't be used, Pillow's plain
    conversion is the best guess (P with transparency keeps it, CMYK becomes RGB)."""
    target = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            alpha = image.getchannel("A") if image.mode == "RGBA" else None
            source = image.convert("RGB") if alpha is not None else image
            converted = ImageCms.profileToProfile(source, profile, _SRGB, outputMode="RGB")
            if alpha is not None and has_alpha:
                converted.putalpha(alpha)
            return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            logger.info("Ignored an unusable ICC profile in an uploaded logo")
    return image.convert(target)


def _encode(kind: FileKind, image: Image.Image) -> PreparedLogo:
    output = io.BytesIO()
    if kind is FileKind.png:
        image.save(output, format="PNG")
    else:
        # 4:4:4 (no chroma subsampling): a logo's sharp coloured edges would smear otherwise.
        image.convert("RGB").save(output, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return PreparedLogo(data=output.getvalue(), kind=kind, width=image.width, height=image.height)
