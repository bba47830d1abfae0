"""Header mapping: which column of an export holds which canonical field.

Exports come from the product's own database, PostHog, Mixpanel, Amplitude, Intercom or a
spreadsheet, each with its own words for the same thing. Headers are compared after
:func:`normalise_header` (case, spaces and punctuation removed), so ``Active Days``,
``active_days`` and ``active-days`` are one header. Columns no synonym matches are kept as
custom metrics when they hold numbers, and reported as ignored when they hold text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

IDENTITY_FIELDS = ("user_id", "email", "name", "company", "title")
WEEK_FIELD = "week"

# Whole-number metrics and the range each accepts (None: no upper bound).
METRIC_RANGES: dict[str, tuple[int, int | None]] = {
    "active_days": (0, 7),
    "sessions": (0, None),
    "features_used": (0, None),
    "invites_sent": (0, None),
    "nps": (0, 10),
    "tasks_completed": (0, None),
    "projects_completed": (0, None),
    "integrations_connected": (0, None),
    "support_tickets": (0, None),
    "content_views": (0, None),
}
METRIC_FIELDS = tuple(METRIC_RANGES)
CANONICAL_FIELDS = (*IDENTITY_FIELDS, WEEK_FIELD, *METRIC_FIELDS)

# What an override may say instead of a canonical field.
IGNORE = "ignore"
CUSTOM = "custom"

# Known headers from real exports, best match first: when two columns of one file map to
# the same field, the one whose synonym comes first here wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "user_id": (
        "user_id",
        "userid",
        "user",
        "distinct_id",
        "$distinct_id",
        "person.id",
        "person_id",
        "$user_id",
        "id",
        "uid",
        "customer_id",
        "external_id",
        "external_user_id",
        "account_user_id",
        "member_id",
        "amplitude_id",
        "intercom_id",
        "contact_id",
    ),
    "email": (
        "email",
        "email_address",
        "e-mail",
        "e-mail address",
        "$email",
        "person.properties.email",
        "person.properties.$email",
        "properties.email",
        "properties.$email",
        "user_email",
        "mail",
        "work_email",
    ),
    "name": (
        "name",
        "full_name",
        "fullname",
        "$name",
        "person.properties.name",
        "properties.name",
        "display_name",
        "user_name",
        "contact_name",
    ),
    "company": (
        "company",
        "company_name",
        "$company",
        "person.properties.company",
        "organization",
        "organisation",
        "organization_name",
        "organisation_name",
        "org",
        "org_name",
        "account",
        "account_name",
        "workspace",
        "workspace_name",
        "companies.name",
    ),
    "title": (
        "title",
        "job_title",
        "jobtitle",
        "role",
        "job_role",
        "position",
        "person.properties.title",
        "person.properties.job_title",
        "designation",
    ),
    "week": (
        "week",
        "week_start",
        "week_starting",
        "week_of",
        "week_beginning",
        "week_ending",
        "week_end",
        "weekstart",
        "period",
        "period_start",
        "date",
        "day",
        "timestamp",
        "interval",
    ),
    "active_days": (
        "active_days",
        "days_active",
        "active_days_7d",
        "active_days_in_week",
        "days_active_last_7_days",
        "active_days_last_7_days",
        "days_active_7d",
        "active_days_count",
        "number_of_active_days",
        "days_used",
        "days_with_activity",
    ),
    "sessions": (
        "sessions",
        "session_count",
        "sessions_count",
        "num_sessions",
        "number_of_sessions",
        "total_sessions",
        "$session_count",
        "visits",
        "logins",
        "login_count",
    ),
    "features_used": (
        "features_used",
        "feature_count",
        "features_count",
        "distinct_features",
        "distinct_features_used",
        "unique_features",
        "unique_features_used",
        "features",
        "features_adopted",
        "feature_breadth",
    ),
    "invites_sent": (
        "invites_sent",
        "invites",
        "invitations_sent",
        "invitations",
        "team_invites",
        "users_invited",
        "invited_users",
        "invites_count",
        "teammates_invited",
    ),
    "nps": (
        "nps",
        "nps_score",
        "net_promoter_score",
        "nps_response",
        "nps_rating",
        "survey_score",
        "likelihood_to_recommend",
        "recommend_score",
    ),
    "tasks_completed": (
        "tasks_completed",
        "completed_tasks",
        "tasks_done",
        "tasks_closed",
        "tasks",
        "task_count",
        "tasks_count",
        "tasks_finished",
    ),
    "projects_completed": (
        "projects_completed",
        "completed_projects",
        "projects_done",
        "projects_shipped",
        "projects",
        "projects_count",
        "project_count",
    ),
    "integrations_connected": (
        "integrations_connected",
        "integrations",
        "connected_integrations",
        "integration_count",
        "integrations_count",
        "integrations_enabled",
        "apps_connected",
    ),
    "support_tickets": (
        "support_tickets",
        "tickets",
        "tickets_opened",
        "ticket_count",
        "support_requests",
        "support_conversations",
        "conversations",
        "conversations_opened",
    ),
    "content_views": (
        "content_views",
        "page_views",
        "pageviews",
        "$pageview",
        "views",
        "docs_views",
        "doc_views",
        "articles_viewed",
        "article_views",
        "content_viewed",
    ),
}


def normalise_header(header: str) -> str:
    """A header stripped of case, spaces and punctuation, for comparing with synonyms.

    ``"Active Days"``, ``"active_days"`` and ``"$Active-Days"`` all become
    ``"activedays"``. Letters beyond ASCII are kept (``"Compañía"`` stays comparable).
    """
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def custom_metric_name(header: str) -> str:
    """The name a custom metric is stored under: the header in snake case.

    ``"Hours Saved"`` and ``"hours_saved"`` both become ``"hours_saved"`` so the founder
    can name the metric the same way whatever the export tool wrote.
    """
    words = re.findall(r"[^\W_]+", header.casefold())
    return "_".join(words) or header.strip()


@functools.cache
def _lookup() -> dict[str, tuple[str, int]]:
    """Normalised synonym -> (field, priority); built on first use, not at import."""
    lookup: dict[str, tuple[str, int]] = {}
    for canonical, synonyms in SYNONYMS.items():
        for priority, synonym in enumerate(synonyms):
            lookup.setdefault(normalise_header(synonym), (canonical, priority))
    return lookup


@dataclass(frozen=True)
class ColumnMapping:
    """What one column of the file is used for.

    Attributes:
        index: 0-based position in the header row.
        header: the header as the file wrote it.
        field: the canonical field it fills, or None.
        custom: the custom metric name it is stored under, or None.
        how: ``synonym``, ``override``, ``custom`` (unknown header, numeric values),
            ``ignored`` (text, duplicate or override) or ``unknown`` (not yet classified).
        note: why a column is ignored, for the founder.
    """

    index: int
    header: str
    field: str | None = None
    custom: str | None = None
    how: str = "unknown"
    note: str = ""

    @property
    def used(self) -> bool:
        return self.field is not None or self.custom is not None


@dataclass(frozen=True)
class HeaderMapping:
    """The mapping of a whole header row, plus what it could not use and why."""

    columns: tuple[ColumnMapping, ...]
    warnings: tuple[str, ...] = field(default=())

    def index_of(self, canonical: str) -> int | None:
        """The column index that fills a canonical field, or None."""
        for column in self.columns:
            if column.field == canonical:
                return column.index
        return None

    @property
    def fields(self) -> dict[str, ColumnMapping]:
        return {c.field: c for c in self.columns if c.field is not None}

    @property
    def custom_columns(self) -> list[ColumnMapping]:
        return [c for c in self.columns if c.custom is not None]

    @property
    def unknown_columns(self) -> list[ColumnMapping]:
        return [c for c in self.columns if c.how == "unknown"]

    def as_dict(self) -> dict[str, str]:
        """Header -> what it was used as (``week``, ``custom:hours_saved``, ``ignored``)."""
        out = {}
        for column in self.columns:
            if column.field is not None:
                out[column.header] = column.field
            elif column.custom is not None:
                out[column.header] = f"{CUSTOM}:{column.custom}"
            else:
                out[column.header] = IGNORE
        return out


class MappingError(ValueError):
    """An override that names no field the app knows."""


def parse_override(text: str) -> tuple[str, str]:
    """Split ``HEADER=FIELD`` as written on the command line.

    FIELD is a canonical field, ``ignore``, ``custom`` (keep as a custom metric under the
    header's own name) or ``custom:NAME``.

    Raises:
        MappingError: no ``=``, an empty side, or an unknown FIELD.
    """
    header, sep, target = text.rpartition("=")
    if not sep or not header.strip() or not target.strip():
        raise MappingError(f"expected HEADER=FIELD, got {text!r}")
    check_target(target.strip())
    return header.strip(), target.strip()


def check_target(target: str) -> None:
    """Raise :class:`MappingError` unless ``target`` is something a column can map to."""
    if target in CANONICAL_FIELDS or target in (IGNORE, CUSTOM):
        return
    if target.startswith(CUSTOM + ":") and target[len(CUSTOM) + 1 :].strip():
        return
    raise MappingError(
        f"{target!r} is not a field; use one of {', '.join(CANONICAL_FIELDS)}, "
        f"{IGNORE}, {CUSTOM} or {CUSTOM}:NAME"
    )


def map_headers(headers: list[str], overrides: dict[str, str] | None = None) -> HeaderMapping:
    """Map a header row to canonical fields by synonym, then apply the overrides.

    Overrides are ``{header: target}``; a header matches exactly or after normalisation.
    Columns that match nothing stay ``unknown`` until :func:`classify_unknown_columns`
    sees their values. When two columns claim one field, the better synonym wins and the
    other is ignored with a warning.

    Raises:
        MappingError: an override targets something that is not a field.
    """
    overrides = dict(overrides or {})
    warnings: list[str] = []
    by_normal = {}
    for header, target in overrides.items():
        check_target(target)
        by_normal[normalise_header(header)] = (header, target)

    lookup = _lookup()
    columns: list[ColumnMapping] = []
    claims: dict[str, list[tuple[int, int]]] = {}
    used_overrides = set()
    for index, raw in enumerate(headers):
        header = raw.strip()
        key = normalise_header(header)
        if header in overrides or key in by_normal:
            name, target = (header, overrides[header]) if header in overrides else by_normal[key]
            used_overrides.add(name)
            columns.append(_overridden(index, header, target))
            if target in CANONICAL_FIELDS:
                claims.setdefault(target, []).append((-1, index))
            continue
        match = lookup.get(key)
        if match is None:
            columns.append(ColumnMapping(index, header))
            continue
        canonical, priority = match
        columns.append(ColumnMapping(index, header, field=canonical, how="synonym"))
        claims.setdefault(canonical, []).append((priority, index))

    for canonical, claimants in claims.items():
        if len(claimants) < 2:
            continue
        claimants.sort()
        winner = columns[claimants[0][1]].header
        for _, index in claimants[1:]:
            loser = columns[index]
            note = f"{winner!r} already fills {canonical}"
            columns[index] = replace(loser, field=None, how="ignored", note=note)
            warnings.append(f"column {loser.header!r} ignored: {note}")

    for name in overrides:
        if name not in used_overrides:
            warnings.append(f"the mapping for {name!r} was not used: the file has no such column")
    return HeaderMapping(tuple(columns), tuple(warnings))


def _overridden(index: int, header: str, target: str) -> ColumnMapping:
    if target == IGNORE:
        return ColumnMapping(index, header, how="ignored", note="ignored on request")
    if target == CUSTOM:
        return ColumnMapping(index, header, custom=custom_metric_name(header), how="override")
    if target.startswith(CUSTOM + ":"):
        name = custom_metric_name(target[len(CUSTOM) + 1 :])
        return ColumnMapping(index, header, custom=name, how="override")
    return ColumnMapping(index, header, field=target, how="override")


def looks_numeric(text: str) -> bool:
    """True for a cell a custom metric may hold: blank, or a number as exports write it."""
    return parse_number(text) is not _NOT_A_NUMBER


_NOT_A_NUMBER = object()
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[,\u00a0 ']\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def parse_number(text: str) -> object:
    """A cell as int or float, None when blank, or a sentinel when it is not a number.

    Besides plain numbers this reads grouped thousands (``1,234`` and ``1 234``) and a
    decimal comma (``2,5``) as spreadsheets in many locales write them.
    """
    value = text.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        pass
    if _GROUPED.match(value):
        value = re.sub(r"[,\u00a0 ']", "", value)
    elif _DECIMAL_COMMA.match(value):
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return _NOT_A_NUMBER
    if number != number or number in (float("inf"), float("-inf")):
        return _NOT_A_NUMBER
    return int(number) if number.is_integer() and "." not in value else number


def is_number(value: object) -> bool:
    """True when :func:`parse_number` found a number or a blank."""
    return value is not _NOT_A_NUMBER


def classify_unknown_columns(
    mapping: HeaderMapping, sample_rows: list[list[str]]
) -> HeaderMapping:
    """Decide, from the first rows, what the unmatched columns are.

    A column whose values in the sample are all numbers (or blank) becomes a custom metric
    under its own name; one that holds text is ignored, with a warning naming it, so no
    column disappears silently.
    """
    columns = list(mapping.columns)
    warnings = list(mapping.warnings)
    taken = {c.custom for c in columns if c.custom}
    for column in mapping.unknown_columns:
        values = [row[column.index] for row in sample_rows if column.index < len(row)]
        text = next((v for v in values if not is_number(parse_number(v))), None)
        if not column.header:
            note = "it has no header"
            columns[column.index] = replace(column, how="ignored", note=note)
            if any(v.strip() for v in values):
                warnings.append(f"column {column.index + 1} ignored: {note}")
            continue
        if text is not None:
            note = f"holds text such as {text.strip()[:40]!r}, not a number"
            columns[column.index] = replace(column, how="ignored", note=note)
            warnings.append(f"column {column.header!r} ignored: {note}")
            continue
        name = custom_metric_name(column.header)
        if name in taken or name in CANONICAL_FIELDS:
            note = f"another column is already stored as {name!r}"
            columns[column.index] = replace(column, how="ignored", note=note)
            warnings.append(f"column {column.header!r} ignored: {note}")
            continue
        taken.add(name)
        columns[column.index] = replace(column, custom=name, how="custom")
    return HeaderMapping(tuple(columns), tuple(warnings))
