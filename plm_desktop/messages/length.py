"""How long a post is by each network's own rules.

X counts a "weighted" length: after NFC normalisation every URL counts 23 whatever its
real length; each emoji, including sequences joined by zero-width joiners, skin tones or
flags, counts 2; code points in Latin and common punctuation ranges count 1 and every
other code point (CJK, for instance) counts 2. A post may weigh 280.

LinkedIn allows 3,000 characters in a post; they are counted here in UTF-16 code units,
as its composer (a browser text field) does, which is never fewer than code points.
"""

from __future__ import annotations

import re
import unicodedata

X_LIMIT = 280
X_URL_LENGTH = 23
LINKEDIN_LIMIT = 3000

# Code point ranges X weighs 1; everything else weighs 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# URLs with a scheme, "www." hosts and bare domains on common top-level domains.
_TLDS = "com|org|net|io|ai|co|app|dev|me|so|xyz|info|biz|us|uk|de|fr|eu|ca|au|in|ly"
_URL = re.compile(
    r"(?:https?://[^\s<>\"]+"
    r"|\bwww\.[^\s<>\"]+"
    r"|(?<![@\w.-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
    rf"\.(?:{_TLDS})\b(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)]}'\""

# Emoji: flags (regional indicator pairs), keycaps, and pictographs with their variation
# selectors, skin tones, tags and zero-width-joiner continuations.
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328"
    "\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297"
    "\u3299\U0001f000-\U0001faff"
)
_MODIFIERS = "\ufe0f\ufe0e\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_EMOJI = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    f"|[{_PICTOGRAPH}][{_MODIFIERS}]*(?:\u200d[{_PICTOGRAPH}][{_MODIFIERS}]*)*)"
)
# Below U+2000 these are only emoji when followed by the emoji variation selector.
_TEXT_DEFAULT = set("\u00a9\u00ae")


def _weight(char: str) -> int:
    code = ord(char)
    for start, end in _X_LIGHT_RANGES:
        if start <= code <= end:
            return 1
    return 2


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def x_length(text: str) -> int:
    """The length X gives ``text`` (the limit is :data:`X_LIMIT`)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in [*_urls(text), (len(text), len(text))]:
        total += _plain_weight(text[position:start])
        if end > start:
            total += X_URL_LENGTH
        position = end
    return total


def _plain_weight(text: str) -> int:
    total = 0
    position = 0
    for match in _EMOJI.finditer(text):
        start, end = match.span()
        emoji = match.group()
        if emoji[0] in _TEXT_DEFAULT and "\ufe0f" not in emoji:
            continue  # a plain (c) or (R) sign, weighed as text below
        total += sum(_weight(c) for c in text[position:start]) + 2
        position = end
    return total + sum(_weight(c) for c in text[position:])


def linkedin_length(text: str) -> int:
    """The length LinkedIn gives ``text`` (the limit is :data:`LINKEDIN_LIMIT`)."""
    return len(text.encode("utf-16-le")) // 2
