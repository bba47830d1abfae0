"""Fonts for win cards: the bundled families, a brand's own font file, system fallbacks.

A card's text is drawn with the brand's family (Inter unless the brand chose another).
Names can hold characters that family lacks (CJK, emoji, rare scripts); those are split
into runs and drawn with a font from the system that has them, so a user's name never
shows as empty boxes when the machine has a font for it. Which font has which character
is read from the fonts' character maps (fontTools), never guessed from rendered pixels.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from plm_desktop.resources import resource_path

log = logging.getLogger(__name__)

ROLES = ("text", "strong", "display")
"""What a face is used for: body lines, emphasis (headline, eyebrow), big name and stat."""

DEFAULT_FAMILY = "Inter"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

# Folders where operating systems and users keep fonts, searched for fallbacks.
_FONT_FOLDERS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
)

# Fallbacks tried first, in this order (file name stems, lower case, prefix match): broad
# CJK coverage before symbol and emoji fonts, so a Chinese name is drawn in one font.
_PREFERRED_FALLBACKS = (
    "notosanscjk",
    "sourcehansans",
    "droidsansfallbackfull",
    "droidsansfallback",
    "notosans-",
    "dejavusans.",
    "symbola",
    "notoemoji-regular",
    "seguiemj",
    "seguisym",
    "arialuni",
    "msyh",
    "msgothic",
)

# Characters that belong to the run before them rather than needing a glyph of their own.
_JOINERS = {0x200D, 0xFE0E, 0xFE0F, 0x20E3}


class FontNotFound(ValueError):
    """The brand names a font family or file that is not there or cannot be read."""


@dataclass(frozen=True)
class FontRun:
    """A stretch of text drawn with one font file."""

    text: str
    path: Path


@lru_cache(maxsize=1)
def bundled_families() -> dict[str, dict[str, Path]]:
    """Families shipped in ``resources/fonts`` (``families.json``): role -> font file."""
    folder = resource_path("fonts")
    raw = json.loads((folder / "families.json").read_text("utf-8"))
    return {name: {role: folder / faces[role] for role in ROLES} for name, faces in raw.items()}


def family_names() -> list[str]:
    """The bundled family names a brand can choose, default first."""
    names = sorted(bundled_families())
    names.remove(DEFAULT_FAMILY)
    return [DEFAULT_FAMILY, *names]


def resolve_family(font: str) -> dict[str, Path]:
    """The font file for each role of ``font``: a bundled family name or a font file path.

    Raises:
        FontNotFound: neither a bundled family nor a readable TrueType/OpenType file.
    """
    families = bundled_families()
    if font in families:
        return families[font]
    path = Path(font).expanduser()
    if path.suffix.lower() not in FONT_SUFFIXES:
        raise FontNotFound(
            f"font {font!r} is neither a bundled family ({', '.join(family_names())}) "
            f"nor a .ttf/.otf/.ttc file"
        )
    if not path.is_file():
        raise FontNotFound(f"font file {path} does not exist")
    coverage(path)  # raises FontNotFound for a file that is not a readable font
    return {role: path for role in ROLES}


@lru_cache(maxsize=64)
def coverage(path: Path) -> frozenset[int]:
    """The code points ``path`` has glyphs for (from its character map).

    Raises:
        FontNotFound: the file is not a font fontTools can read.
    """
    try:
        with path.open("rb") as file, TTFont(file, lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
            if "glyf" not in font and "CFF " not in font and "CFF2" not in font:
                # Bitmap-only colour fonts (CBDT/sbix) cannot be drawn at any size.
                return frozenset()
    except (OSError, TTLibError, AssertionError, KeyError, ValueError) as exc:
        raise FontNotFound(f"cannot read font {path}: {exc}") from exc
    return frozenset(cmap)


@lru_cache(maxsize=512)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font for ``path`` at ``size`` pixels, kept for reuse across renders."""
    return ImageFont.truetype(str(path), size)


def font_folders() -> list[Path]:
    """Folders searched for fallback fonts on this system, those that exist."""
    folders = [Path(p).expanduser() for p in _FONT_FOLDERS]
    windir = os.environ.get("WINDIR")
    if windir or sys.platform == "win32":
        folders.append(Path(windir or "C:/Windows") / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return [folder for folder in folders if folder.is_dir()]


def _preference(path: Path) -> tuple[int, str]:
    name = path.name.lower()
    for rank, prefix in enumerate(_PREFERRED_FALLBACKS):
        if name.startswith(prefix):
            return rank, str(path)
    return len(_PREFERRED_FALLBACKS), str(path)


@lru_cache(maxsize=8)
def fallback_candidates(folders: tuple[Path, ...] | None = None) -> tuple[Path, ...]:
    """Font files found in ``folders`` (default: the system's), best fallbacks first.

    The order is fixed (preference, then path) so the same machine always picks the same
    fallback and renders the same pixels.
    """
    found = []
    for folder in folders if folders is not None else tuple(font_folders()):
        for root, _dirs, files in os.walk(folder):
            for file_name in files:
                if file_name.lower().endswith(FONT_SUFFIXES):
                    found.append(Path(root) / file_name)
    found.sort(key=_preference)
    return tuple(found)


class FallbackFinder:
    """Finds a font for characters the brand's font lacks.

    Character maps of candidates are read only when a character needs them, and answers
    (including "no font has it") are remembered for the life of the finder.
    """

    def __init__(self, candidates: tuple[Path, ...] | None = None) -> None:
        self._candidates = candidates
        self._answers: dict[int, Path | None] = {}

    @property
    def candidates(self) -> tuple[Path, ...]:
        if self._candidates is None:
            self._candidates = fallback_candidates()
        return self._candidates

    def font_for(self, codepoint: int) -> Path | None:
        """The first candidate whose character map has ``codepoint``, or None."""
        if codepoint in self._answers:
            return self._answers[codepoint]
        answer = None
        for path in self.candidates:
            try:
                covered = coverage(path)
            except FontNotFound:
                continue
            if codepoint in covered:
                answer = path
                break
        if answer is None:
            log.debug("no font on this system has U+%04X", codepoint)
        self._answers[codepoint] = answer
        return answer


@lru_cache(maxsize=1)
def system_fallbacks() -> FallbackFinder:
    """The process-wide finder over the system's font folders."""
    return FallbackFinder()


def _needs_no_glyph(codepoint: int) -> bool:
    if codepoint in _JOINERS:
        return True
    return unicodedata.category(chr(codepoint)) in ("Mn", "Me", "Cf")


def split_runs(text: str, primary: Path, finder: FallbackFinder | None = None) -> list[FontRun]:
    """Split ``text`` into runs, each drawn with a font that has its characters.

    Characters ``primary`` has stay with it; others go to the first fallback that has
    them. Combining marks and joiners stay with the character before them. A character
    no font has stays with ``primary`` (its missing-glyph box is then unavoidable).
    """
    finder = finder or system_fallbacks()
    covered = coverage(primary)
    runs: list[FontRun] = []
    current_path: Path | None = None
    current = ""
    for char in text:
        codepoint = ord(char)
        if codepoint in covered or char.isspace():
            path = primary
        elif _needs_no_glyph(codepoint) and current_path is not None:
            path = current_path
        else:
            path = finder.font_for(codepoint) or primary
        if path != current_path and current:
            runs.append(FontRun(current, current_path))
            current = ""
        current_path = path
        current += char
    if current:
        runs.append(FontRun(current, current_path))
    return runs


def missing_glyphs(text: str, primary: Path, finder: FallbackFinder | None = None) -> list[str]:
    """Characters of ``text`` that neither ``primary`` nor any fallback can draw."""
    finder = finder or system_fallbacks()
    covered = coverage(primary)
    return [
        char
        for char in dict.fromkeys(text)
        if ord(char) not in covered
        and not char.isspace()
        and not _needs_no_glyph(ord(char))
        and finder.font_for(ord(char)) is None
    ]
