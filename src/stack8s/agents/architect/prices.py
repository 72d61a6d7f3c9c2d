"""How old the plan's prices are: the newest price date of the recommendations, and a warning with the
refresh command when it is older than the configured age (STACK8S_PRICE_MAX_AGE_DAYS)."""

from __future__ import annotations

from datetime import date

from stack8s.planning.plan import GpuRecommendation

REFRESH_COMMAND = "stack8s catalog import skypilot <skypilot-catalog checkout>/catalogs/v7"
"""Imports every `*vms.csv` under the folder; rows keep the file's commit date (or file time) as their date."""


def freshness(recs: list[GpuRecommendation], max_age_days: int, today: date | None = None) -> list[str]:
    """Assumption lines: the newest price date and its sources; a warning when that date is older than
    `max_age_days`. Nothing without recommendations."""
    if not recs:
        return []
    dated = [(r.price_as_of, r.price_source or "unknown source") for r in recs if r.price_as_of]
    if not dated:
        return ["Instance prices carry no date; check them on the provider's pricing page before quoting them."]
    newest = max(when for when, _ in dated)
    sources = ", ".join(sorted({source for _, source in dated}))
    lines = [f"Instance prices are on-demand list prices as of {newest} (newest date; sources: {sources})."]
    age = ((today or date.today()) - date.fromisoformat(newest)).days
    if age > max_age_days:
        lines.append(
            f"Warning: the newest instance price is {age} days old (more than {max_age_days}); prices change "
            f"often. Refresh the catalog with `{REFRESH_COMMAND}` and ask again."
        )
    return lines
