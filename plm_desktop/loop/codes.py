"""Finding an advocate's referral code in what a signups export carries.

A share link carries the advocate's code twice over: as ``?ref=CODE`` and inside the UTM
parameters (``utm_campaign`` / ``utm_content``). Exports keep whichever survived the
journey: a referral-code column, ``utm_*`` columns, or only the landing URL. This module
turns those fields into candidate codes, in order of trust, and matches them against the
codes advocates were given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# Separators a campaign or content value may put around a code: "advocate-ab12cd",
# "win_card:ab12cd", "ref/ab12cd".
_TOKEN_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# Query parameters, besides the utm_* ones, that carry a referral code.
REF_PARAMETERS = ("ref", "referral", "referral_code", "via", "invite")
UTM_CODE_PARAMETERS = ("utm_content", "utm_campaign", "utm_term")


@dataclass(frozen=True)
class CodeMatch:
    """A referral code found in a signup and the advocate it belongs to."""

    code: str
    user_id: str
    how: str  # 'code', 'utm' or 'url'


class CodeBook:
    """Every referral code handed out, mapped to its advocate (codes compare case-blind)."""

    def __init__(self, codes: Mapping[str, str]) -> None:
        self._by_code = {code.strip().lower(): user_id for code, user_id in codes.items()}

    def __len__(self) -> int:
        return len(self._by_code)

    def advocate_of(self, value: str | None) -> tuple[str, str] | None:
        """``(code, user_id)`` when ``value`` is a known code or holds one as a token."""
        if not value:
            return None
        value = value.strip()
        user_id = self._by_code.get(value.lower())
        if user_id is not None:
            return value, user_id
        for token in _TOKEN_SPLIT.split(value):
            user_id = self._by_code.get(token.lower())
            if token and user_id is not None:
                return token, user_id
        return None

    def match(
        self,
        *,
        referral_code: str | None = None,
        utm: Mapping[str, str | None] | None = None,
        landing_url: str | None = None,
    ) -> CodeMatch | None:
        """The advocate a signup points to, trying the most direct evidence first.

        Order: the referral-code column, then the ``utm_*`` columns (content, campaign,
        term), then the landing URL's ``?ref=``-style parameters and its own ``utm_*``
        parameters.
        """
        found = self.advocate_of(referral_code)
        if found:
            return CodeMatch(found[0], found[1], "code")
        for value in _utm_values(utm or {}):
            found = self.advocate_of(value)
            if found:
                return CodeMatch(found[0], found[1], "utm")
        for value in url_code_candidates(landing_url):
            found = self.advocate_of(value)
            if found:
                return CodeMatch(found[0], found[1], "url")
        return None


def _utm_values(utm: Mapping[str, str | None]) -> Iterable[str]:
    for name in UTM_CODE_PARAMETERS:
        value = utm.get(name)
        if value:
            yield value


def url_parameters(url: str | None) -> dict[str, str]:
    """The query parameters of a landing URL, names lower-cased (first value wins).

    Tolerates what exports do to URLs: no scheme, a fragment-borne query
    (``/#/signup?ref=x``), surrounding spaces.
    """
    if not url:
        return {}
    parts = urlsplit(url.strip())
    query = parts.query
    if not query and "?" in parts.fragment:
        query = parts.fragment.split("?", 1)[1]
    found: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=False):
        found.setdefault(name.strip().lower(), value.strip())
    return found


def url_code_candidates(url: str | None) -> list[str]:
    """Values in a landing URL that may be a referral code, most direct first."""
    params = url_parameters(url)
    names = REF_PARAMETERS + UTM_CODE_PARAMETERS
    return [params[name] for name in names if params.get(name)]
