"""The power-user model: every threshold and number of points, saved with the database.

The defaults are the documented model: four parts of up to 25 points each (usage
frequency, feature depth, collaboration, sentiment) over a four-week window, and 70 points
and up marks an advocate candidate. Three further signals (support tickets, content
views, integrations) can be switched in with their own points; they are off by default.
Milestone thresholds live here too so the founder tunes them in the same place.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from plm_desktop.store import Database

log = logging.getLogger(__name__)

SETTING_KEY = "scoring.model"


class ModelError(ValueError):
    """A model value is out of range or contradicts another; the message says which."""


@dataclass
class FrequencyRule:
    """Usage frequency from ``active_days`` in the week."""

    daily_min_days: int = 5
    daily_points: int = 25
    weekly_points: int = 15  # 1 day up to daily_min_days - 1
    monthly_points: int = 5  # none this week, some earlier in the window


@dataclass
class DepthRule:
    """Feature depth from ``features_used`` in the week."""

    deep_min: int = 5
    deep_points: int = 25
    mid_min: int = 3
    mid_points: int = 15
    light_points: int = 5  # 1 feature up to mid_min - 1


@dataclass
class CollaborationRule:
    """Collaboration from ``invites_sent`` summed over the window."""

    high_min: int = 3
    high_points: int = 25
    some_points: int = 15  # 1 invite up to high_min - 1


@dataclass
class SentimentRule:
    """Sentiment from the latest NPS answer in any week up to the scored week."""

    promoter_min: int = 9
    promoter_points: int = 25
    passive_min: int = 7
    passive_points: int = 15


@dataclass
class ExtraSignal:
    """An optional signal: ``points`` when its value reaches ``minimum`` (off by default)."""

    enabled: bool = False
    minimum: int = 1
    points: int = 10


@dataclass
class MilestoneRules:
    """Thresholds of the milestones; each milestone fires once, when first crossed."""

    first_project_min: int = 1  # running total of projects_completed
    task_total: int = 100  # running total of tasks_completed
    team_invites: int = 5  # running total of invites_sent
    streak_weeks: int = 13  # consecutive weeks with activity (13 weeks is about 90 days)
    roi_metric: str = "hours_saved"  # a numeric field of usage.custom
    roi_threshold: float = 10.0
    roi_running_total: bool = True  # False: a single week's value must cross it
    top_percent: int = 5  # a candidate whose top N % is at most this


@dataclass
class ScoringModel:
    """Every number of the model; load it with :meth:`load`, keep it with :meth:`save`."""

    window_weeks: int = 4
    candidate_min: int = 70
    segment_percent: int = 10  # the segment export takes the top N % of ranked users
    frequency: FrequencyRule = field(default_factory=FrequencyRule)
    depth: DepthRule = field(default_factory=DepthRule)
    collaboration: CollaborationRule = field(default_factory=CollaborationRule)
    sentiment: SentimentRule = field(default_factory=SentimentRule)
    # Summed over the window.
    support_tickets: ExtraSignal = field(default_factory=ExtraSignal)
    # Summed over the window.
    content_views: ExtraSignal = field(default_factory=lambda: ExtraSignal(minimum=5))
    # Highest count of connected integrations in the window.
    integrations: ExtraSignal = field(default_factory=ExtraSignal)
    milestones: MilestoneRules = field(default_factory=MilestoneRules)

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringModel:
        """Build a model from saved values; missing keys take defaults, unknown keys are
        ignored (a newer app may have saved more), wrong types raise :class:`ModelError`."""
        model = _fill(cls(), data, "")
        model.validate()
        return model

    @classmethod
    def load(cls, db: Database) -> ScoringModel:
        """The model saved with ``db``, or the defaults if none was saved."""
        saved = db.get_setting(SETTING_KEY)
        if saved is None:
            return cls()
        if not isinstance(saved, dict):
            raise ModelError(f"setting {SETTING_KEY!r} is not an object: {saved!r}")
        return cls.from_dict(saved)

    def save(self, db: Database) -> None:
        """Check the model and keep it with ``db``. Stored scores are not recomputed here:
        call ``rescore_all(db)`` after saving a changed model."""
        self.validate()
        db.set_setting(SETTING_KEY, self.to_dict())
        log.info("saved the scoring model to %s", db.path)

    def enabled_extras(self) -> list[str]:
        """Names of the optional signals switched into the model."""
        return [name for name in EXTRA_SIGNALS if getattr(self, name).enabled]

    def validate(self) -> None:
        """Raise :class:`ModelError` naming the first value that cannot work."""
        _check_counts(self, "")
        if not 1 <= self.window_weeks <= 52:
            raise ModelError(f"window_weeks must be between 1 and 52, not {self.window_weeks}")
        if not 1 <= self.segment_percent <= 100:
            raise ModelError(
                f"segment_percent must be between 1 and 100, not {self.segment_percent}"
            )
        if self.frequency.daily_min_days < 2 or self.frequency.daily_min_days > 7:
            raise ModelError(
                "frequency.daily_min_days must be between 2 and 7, "
                f"not {self.frequency.daily_min_days}"
            )
        if not 1 <= self.depth.mid_min < self.depth.deep_min:
            raise ModelError(
                "depth needs 1 <= mid_min < deep_min, "
                f"not mid_min={self.depth.mid_min}, deep_min={self.depth.deep_min}"
            )
        if self.collaboration.high_min < 2:
            raise ModelError(
                f"collaboration.high_min must be at least 2, not {self.collaboration.high_min}"
            )
        s = self.sentiment
        if not 0 <= s.passive_min < s.promoter_min <= 10:
            raise ModelError(
                "sentiment needs 0 <= passive_min < promoter_min <= 10, "
                f"not passive_min={s.passive_min}, promoter_min={s.promoter_min}"
            )
        m = self.milestones
        for name in ("first_project_min", "task_total", "team_invites", "streak_weeks"):
            if getattr(m, name) < 1:
                raise ModelError(f"milestones.{name} must be at least 1, not {getattr(m, name)}")
        if m.roi_threshold <= 0:
            raise ModelError(f"milestones.roi_threshold must be above 0, not {m.roi_threshold}")
        if not m.roi_metric.strip():
            raise ModelError("milestones.roi_metric must name a custom usage column")
        if not 1 <= m.top_percent <= 100:
            raise ModelError(
                f"milestones.top_percent must be between 1 and 100, not {m.top_percent}"
            )
        if m.streak_weeks > 104:
            raise ModelError(f"milestones.streak_weeks must be at most 104, not {m.streak_weeks}")


EXTRA_SIGNALS = ("support_tickets", "content_views", "integrations")


def _fill(target: Any, data: dict[str, Any], prefix: str) -> Any:
    """Copy values from ``data`` onto the dataclass ``target``, checking each type."""
    if not isinstance(data, dict):
        raise ModelError(f"{prefix.rstrip('.') or 'model'} must be an object, not {data!r}")
    for f in fields(target):
        if f.name not in data:
            continue
        current = getattr(target, f.name)
        value = data[f.name]
        name = prefix + f.name
        if is_dataclass(current):
            _fill(current, value, name + ".")
        elif isinstance(current, bool):
            if not isinstance(value, bool):
                raise ModelError(f"{name} must be true or false, not {value!r}")
            setattr(target, f.name, value)
        elif isinstance(current, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ModelError(f"{name} must be a whole number, not {value!r}")
            setattr(target, f.name, value)
        elif isinstance(current, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ModelError(f"{name} must be a number, not {value!r}")
            setattr(target, f.name, float(value))
        elif isinstance(current, str):
            if not isinstance(value, str):
                raise ModelError(f"{name} must be text, not {value!r}")
            setattr(target, f.name, value)
    return target


def _check_counts(target: Any, prefix: str) -> None:
    """Every whole number and threshold in the model must be zero or more."""
    for f in fields(target):
        value = getattr(target, f.name)
        name = prefix + f.name
        if is_dataclass(value):
            _check_counts(value, name + ".")
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float) and value < 0:
            raise ModelError(f"{name} must be zero or more, not {value}")
        elif isinstance(value, int) and value > 1_000_000:
            raise ModelError(f"{name} is implausibly large: {value}")
