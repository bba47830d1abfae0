"""Win card rendering: sizes, determinism, text fitting, fonts, contrast, logos, brand."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from plm_desktop.cards import (
    MILESTONE_KINDS,
    SIZES,
    Brand,
    BrandError,
    CardError,
    CardSpec,
    LogoRejected,
    encode_png,
    fonts,
    load_brand,
    render,
    render_card,
    save_brand,
    textfit,
)
from plm_desktop.cards.contrast import contrast_ratio, ensure_contrast, parse_colour
from plm_desktop.cards.logo import MAX_LOGO_PIXELS, load_logo, read_logo_file
from plm_desktop.cards.templates import card_layouts

WEEK = date(2026, 11, 30)
BRAND = Brand(product_name="Acme Analytics", product_url="https://acme.example")
DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def spec(kind: str = "task_100", **changes) -> CardSpec:
    values = dict(
        kind=kind,
        name="Priya Raman",
        stat="1,204",
        stat_label="tasks completed",
        supporting="Getting real work done in Acme Analytics.",
        card_date=WEEK,
    )
    values.update(changes)
    return CardSpec(**values)


def clear_caches() -> None:
    render._background.cache_clear()
    render._logo_image.cache_clear()
    render._text_mask.cache_clear()
    textfit._fit_text.cache_clear()
    textfit._measure_line.cache_clear()
    fonts.load_font.cache_clear()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("scale", [1, 2])
def test_every_kind_renders_at_its_size(size: str, scale: int) -> None:
    for kind in MILESTONE_KINDS:
        card = render_card(spec(kind), BRAND, size, scale)
        width, height = SIZES[size]
        assert card.image.size == (width * scale, height * scale)
        assert card.image.mode == "RGB"
        assert card.adjustments == []
        # Something was drawn: the card is not one flat colour.
        assert len(card.image.getcolors(maxcolors=1_000_000) or []) > 50


def test_same_inputs_give_the_same_pixels_and_bytes() -> None:
    brand = Brand(product_name="Acme", logo_png=_logo_png((300, 120)), theme="dark")
    first = render_card(spec("team_builder", name="Zoë Núñez 李小龍"), brand, "square", 2)
    clear_caches()
    second = render_card(spec("team_builder", name="Zoë Núñez 李小龍"), brand, "square", 2)
    assert first.image.tobytes() == second.image.tobytes()
    assert encode_png(first) == encode_png(second)


def test_different_specs_give_different_pixels() -> None:
    one = render_card(spec(stat="12"), BRAND)
    other = render_card(spec(stat="13"), BRAND)
    assert ImageChops.difference(one.image, other.image).getbbox() is not None


LONG_NAME = "Maximiliana Alexandra Bartholomew Fitzgerald-Worthington III"
BIG_STAT = "123,456,789,012"


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("scale", [1, 2])
def test_long_name_and_twelve_digit_stat_stay_inside_the_safe_margin(size, scale) -> None:
    assert len(LONG_NAME) == 60
    card = render_card(
        spec("top_5", name=LONG_NAME, stat=BIG_STAT, headline="Top 1% of Acme Analytics users"),
        BRAND,
        size,
        scale,
        text_mask=True,
    )
    x, y, w, h = card.safe_box
    bbox = card.text_mask.getbbox()
    assert bbox is not None
    assert bbox[0] >= x and bbox[1] >= y, (bbox, card.safe_box)
    assert bbox[2] <= x + w and bbox[3] <= y + h, (bbox, card.safe_box)

    name = card.fitted["name"]
    stat = card.fitted["stat"]
    assert name.shrunk
    assert name.text.replace("\n", " ").startswith("Maximiliana Alexandra")
    # The stat is shrunk to fit whole, never cut.
    assert stat.text == BIG_STAT and not stat.ellipsized
    assert stat.size < card_layouts()[size].elements["stat"].style.max_size * scale
    # Nothing of the text column overlaps: each element sits below the previous one.
    assert name.width <= card_layouts()[size].column[2] * scale


def test_text_too_long_for_the_card_is_ellipsized_and_reported() -> None:
    name = " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 8)
    card = render_card(spec(name=name), BRAND, "linkedin", text_mask=True)
    fitted = card.fitted["name"]
    assert fitted.ellipsized
    assert fitted.text.endswith("\u2026")
    assert len(fitted.lines) <= card_layouts()["linkedin"].elements["name"].style.max_lines
    assert any(note.startswith("name too long") for note in card.adjustments)
    x, y, w, h = card.safe_box
    left, top, right, bottom = card.text_mask.getbbox()
    assert left >= x and top >= y and right <= x + w and bottom <= y + h


def test_fitting_wraps_text_without_spaces() -> None:
    style = textfit.TextStyle("display", max_size=60, min_size=30, max_lines=2)
    face = fonts.resolve_family("Inter")["display"]
    fitted = textfit.fit_text("x" * 80, face, (600, 200), style)
    assert fitted.wrapped and len(fitted.lines) == 2
    assert all(line.width <= 600 for line in fitted.lines)


def _mask(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (200, 200), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(image).text((20, 150), char, font=font, fill=255, anchor="ls")
    return image.tobytes()


def test_accented_latin_names_use_real_glyphs_not_the_missing_glyph_box() -> None:
    face = fonts.resolve_family("Inter")["display"]
    font = ImageFont.truetype(str(face), 96)
    lacked = "\U0010fffd"  # a private-use code point no font has
    assert ord(lacked) not in fonts.coverage(face)
    notdef = _mask(font, lacked)
    name = "Zoë Núñez-Åkesson Łódź Çağrı Ðorđe Þórr Œuvre"
    for char in set(name) - {" ", "-"}:
        assert ord(char) in fonts.coverage(face), char
        assert _mask(font, char) != notdef, f"{char!r} drew the missing-glyph box"
    # The whole name stays in the bundled font: no run falls back.
    assert {run.path for run in fonts.split_runs(name, face)} == {face}


@pytest.mark.skipif(not DROID.exists(), reason="fonts-droid-fallback is not installed")
def test_cjk_and_emoji_fall_back_to_a_font_that_has_them() -> None:
    face = fonts.resolve_family("Inter")["display"]
    finder = fonts.FallbackFinder(fonts.fallback_candidates())
    runs = fonts.split_runs("Bruce 李小龍 🎉", face, finder)
    by_text = {run.text: run.path for run in runs}
    assert by_text["Bruce "] == face
    cjk = by_text["李小龍"]
    assert cjk != face and ord("李") in fonts.coverage(cjk)
    emoji_run = next(run for run in runs if "🎉" in run.text)
    assert emoji_run.path != face and 0x1F389 in fonts.coverage(emoji_run.path)

    notdef = _mask(ImageFont.truetype(str(face), 96), "李")
    drawn = _mask(ImageFont.truetype(str(cjk), 96), "李")
    assert drawn != notdef
    assert fonts.missing_glyphs("Bruce 李小龍 🎉", face, finder) == []
    assert fonts.missing_glyphs("a\U0010fffd", face, finder) == ["\U0010fffd"]


def test_fallback_finder_only_uses_the_fonts_it_is_given(tmp_path: Path) -> None:
    face = fonts.resolve_family("Inter")["text"]
    finder = fonts.FallbackFinder(())
    assert fonts.split_runs("李", face, finder)[0].path == face
    assert fonts.missing_glyphs("李", face, finder) == ["李"]


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    fix = ensure_contrast((255, 212, 0), [(255, 255, 255)])
    assert fix.adjusted and fix.ratio >= 4.5 and fix.original_ratio < 2
    assert ensure_contrast((0, 0, 0), [(255, 255, 255)]).adjusted is False


def test_a_faint_brand_colour_is_adjusted_and_reported() -> None:
    brand = Brand(product_name="Sunny", primary="#FFD400", secondary="#0E7490")
    card = render_card(spec(), brand)
    notes = [n for n in card.adjustments if n.startswith("primary colour #FFD400")]
    assert len(notes) == 1, card.adjustments
    drawn_hex = notes[0].split("drawn as ")[1].split()[0]
    drawn = parse_colour(drawn_hex)
    assert contrast_ratio(drawn, (255, 255, 255)) >= 4.5
    # The stat really is drawn in the adjusted colour, and the text column (where the
    # motif never goes) holds no pixel of the brand's own.
    x, y, w, h = card_layouts()["linkedin"].column
    column = card.image.crop((x, y, x + w, y + h))
    colours = {c for _n, c in column.getcolors(maxcolors=2_000_000)}
    assert drawn in colours
    assert parse_colour("#FFD400") not in colours

    dark = render_card(spec(), Brand(product_name="Night", primary="#1E1B4B", theme="dark"))
    assert any(n.startswith("primary colour #1E1B4B") for n in dark.adjustments)


def test_default_brand_needs_no_adjustment_on_light_and_is_lightened_on_dark() -> None:
    assert render_card(spec(), Brand()).adjustments == []
    dark = render_card(spec(), Brand(theme="dark")).adjustments
    assert [note.split()[0] for note in dark] == ["secondary", "primary"]
    assert all("on the dark background" in note for note in dark)


def _logo_png(size: tuple[int, int]) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    from PIL import ImageDraw

    ImageDraw.Draw(image).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=(220, 38, 38, 255))
    return png_bytes(image)


def test_logo_of_any_size_is_scaled_into_the_header(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(_logo_png((3000, 1000)))
    brand = BRAND.with_logo_file(path)
    stored = Image.open(io.BytesIO(brand.logo_png))
    assert max(stored.size) == 1024
    card = render_card(spec(), brand, "linkedin")
    hx, hy, hw, hh = card_layouts()["linkedin"].header
    red = [
        (x, y)
        for x in range(card.image.width)
        for y in range(0, card.image.height, 2)
        if card.image.getpixel((x, y)) == (220, 38, 38)
    ]
    assert red, "the logo was not drawn"
    assert all(hx <= x < hx + hw and hy <= y < hy + hh for x, y in red)


def test_jpeg_logo_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "logo.jpg"
    Image.new("RGB", (64, 32), (10, 120, 200)).save(path, format="JPEG")
    with Image.open(io.BytesIO(read_logo_file(path))) as stored:
        assert stored.size == (64, 32)


def test_jpeg_rotation_tag_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
    Image.new("RGB", (80, 20), (10, 120, 200)).save(path, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(read_logo_file(path))) as stored:
        assert stored.size == (20, 80)


def test_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(LogoRejected, match=r"logo\.png: not an image"):
        read_logo_file(path)


def test_truncated_logo_is_refused(tmp_path: Path) -> None:
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    data = png_bytes(noisy)
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LogoRejected, match=r"cut\.png: the image is damaged or cut short"):
        read_logo_file(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (8000, 8000)).save(path)  # 64 million pixels in a few kilobytes
    assert path.stat().st_size < 100_000 and MAX_LOGO_PIXELS < 8000 * 8000
    with pytest.raises(LogoRejected, match="decompression bomb"):
        read_logo_file(path)


def test_other_image_formats_are_refused_with_the_format_named() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(LogoRejected, match="a GIF image; logos must be PNG or JPEG"):
        load_logo(out.getvalue(), "anim.gif")


def test_missing_logo_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LogoRejected, match="cannot read the file"):
        read_logo_file(tmp_path / "nope.png")


def test_brand_is_saved_with_the_database(db) -> None:
    assert load_brand(db) == Brand()
    brand = Brand(
        product_name="Acme",
        product_url="https://acme.example",
        primary="#abc",
        secondary="#123456",
        theme="dark",
        font="Inter Display",
        logo_png=_logo_png((40, 20)),
    )
    assert brand.primary == "#AABBCC"
    save_brand(db, brand)
    assert load_brand(db) == brand


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"primary": "blue"}, "primary colour"),
        ({"secondary": "#12345"}, "secondary colour"),
        ({"theme": "sepia"}, "theme"),
        ({"product_name": "  "}, "product name"),
    ],
)
def test_invalid_brand_values_are_refused(changes, message) -> None:
    with pytest.raises(BrandError, match=message):
        Brand(**changes)


def test_brand_font_can_be_a_font_file(tmp_path: Path) -> None:
    face = fonts.resolve_family("Inter")["strong"]
    card = render_card(spec(), Brand(font=str(face)))
    assert card.image.size == SIZES["linkedin"]
    with pytest.raises(fonts.FontNotFound, match="neither a bundled family"):
        render_card(spec(), Brand(font="Comic Sans"))
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(fonts.FontNotFound, match="cannot read font"):
        render_card(spec(), Brand(font=str(bogus)))


def test_unknown_size_kind_or_scale_is_refused() -> None:
    with pytest.raises(CardError, match="unknown card size 'banner'"):
        render_card(spec(), BRAND, "banner")
    with pytest.raises(CardError, match="unknown milestone kind 'party'"):
        render_card(spec("party"), BRAND)
    with pytest.raises(CardError, match="scale must be 1 or 2"):
        render_card(spec(), BRAND, scale=3)


def test_every_layout_keeps_its_boxes_inside_the_safe_margin() -> None:
    for size, layout in card_layouts().items():
        assert (layout.width, layout.height) == SIZES[size]
        sx, sy, sw, sh = layout.safe_box
        for box in (layout.header, layout.column, layout.footer):
            assert box[0] >= sx and box[1] >= sy
            assert box[0] + box[2] <= sx + sw and box[1] + box[3] <= sy + sh


def test_renders_on_several_threads_match_serial_renders() -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(f"Zoë {i} 李", size) for i in range(4) for size in ("linkedin", "square")]
    serial = [render_card(spec(name=n), BRAND, s).image.tobytes() for n, s in jobs]
    clear_caches()
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(
            pool.map(
                lambda job: render_card(spec(name=job[0]), BRAND, job[1]).image.tobytes(), jobs
            )
        )
    assert threaded == serial
