"""Loading a brand logo safely.

A logo is a PNG or JPEG the founder picks from disk. Before it is kept it is opened with
limits: a file that is not an image, is cut short, or claims more pixels than any logo
needs (a decompression bomb) is refused with a message naming the file and the reason.
An accepted logo is scaled down and stored as a small PNG with the brand, so the card
never reads the original file again.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("PNG", "JPEG")
MAX_LOGO_BYTES = 20 * 1024 * 1024
MAX_LOGO_PIXELS = 40_000_000
"""More pixels than this (e.g. 6325x6325) is refused before decoding: no logo needs it."""

STORED_LOGO_EDGE = 1024
"""Longest edge of the logo kept with the brand; cards draw it at most ~260 px at 2x."""


class LogoRejected(ValueError):
    """The logo file cannot be used; the message says which file and why."""


def load_logo(data: bytes, source: str = "logo") -> Image.Image:
    """Decode logo bytes into an RGBA image, refusing anything unsafe or broken.

    Args:
        data: the file's bytes.
        source: how to name the file in messages (usually its path).

    Raises:
        LogoRejected: not a PNG/JPEG, truncated, too large, or a decompression bomb.
    """
    if not data:
        raise LogoRejected(f"{source}: the file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRejected(
            f"{source}: the file is {len(data) / 1e6:.0f} MB; a logo must be under "
            f"{MAX_LOGO_BYTES // 1024 // 1024} MB"
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; treat the warning as a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise LogoRejected(
                    f"{source}: a {image.format} image; logos must be PNG or JPEG "
                    f"(export SVG or other formats to PNG first)"
                )
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_LOGO_PIXELS:
                raise LogoRejected(
                    f"{source}: the image claims {width}x{height} pixels, more than a logo "
                    f"may have ({MAX_LOGO_PIXELS:,}); refused as a possible decompression bomb"
                )
            image.load()
    except LogoRejected:
        raise
    except UnidentifiedImageError:
        raise LogoRejected(
            f"{source}: not an image Pillow can read (PNG or JPEG expected)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise LogoRejected(f"{source}: refused as a decompression bomb ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise LogoRejected(f"{source}: the image is damaged or cut short ({exc})") from None
    # Phone photos store their rotation as a tag; draw the logo the way it is seen.
    return ImageOps.exif_transpose(image).convert("RGBA")


def normalise_logo(image: Image.Image) -> bytes:
    """The logo scaled to at most :data:`STORED_LOGO_EDGE` and encoded as PNG bytes."""
    image = image.convert("RGBA")
    if max(image.size) > STORED_LOGO_EDGE:
        image = image.copy()
        image.thumbnail((STORED_LOGO_EDGE, STORED_LOGO_EDGE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def read_logo_file(path: Path | str) -> bytes:
    """Read, check and normalise the logo at ``path``; the PNG bytes to keep with a brand.

    Raises:
        LogoRejected: the file cannot be read or is not a usable image.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise LogoRejected(
                f"{path}: the file is {size / 1e6:.0f} MB; a logo must be under "
                f"{MAX_LOGO_BYTES // 1024 // 1024} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LogoRejected(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    image = load_logo(data, source=str(path))
    log.info("accepted logo %s (%dx%d)", path.name, *image.size)
    return normalise_logo(image)
