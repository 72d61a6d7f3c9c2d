"""Deadlines named as a day (issue 19, item 3): weekdays, weekends, the end of the month, the holidays, overnight and
dates, in the five languages, as hours from when the message is read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stack8s.agents.requirements.calendar_deadlines import calendar_deadline
from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import extract_spec

MONDAY_2PM = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("run the embeddings over the corpus by monday morning", 24 * 7 - 5),  # next Monday 09:00
        ("bis freitag", 4 * 24 + 4),  # Friday 18:00
        ("d'ici vendredi", 4 * 24 + 4),
        ("para el viernes", 4 * 24 + 4),
        ("ate sexta-feira", 4 * 24 + 4),
        ("over the weekend", 6 * 24 + 10 - 0.0167),  # Sunday 23:59
        ("am wochenende", 6 * 24 + 10 - 0.0167),
        ("d'ici la fin du mois", 24 * 24 + 10 - 0.0167),  # 31 December 23:59
        ("bis monatsende", 24 * 24 + 10 - 0.0167),
        ("antes de navidad", 16 * 24 + 10),  # 24 December 00:00
        ("vor weihnachten", 16 * 24 + 10),
        ("overnight", 12),
        ("uber nacht", 12),
        ("durante la noche", 12),
        ("summarise all 40,000 board minutes before 2027-01-15", 39 * 24 + 4),  # 15 January 18:00
        ("bis 15.01.2027", 39 * 24 + 4),
        ("by 15 january", 39 * 24 + 4),
        ("before january 15", 39 * 24 + 4),
    ],
)
def test_a_day_named_as_a_deadline_is_the_hours_until_it(text: str, hours: float) -> None:
    assert calendar_deadline(text, MONDAY_2PM) == pytest.approx(hours, abs=0.1)


@pytest.mark.parametrize("text", ["nothing here", "30 monday-morning users", "before 2020-01-01"])
def test_no_day_or_a_day_gone_is_no_deadline(text: str) -> None:
    assert calendar_deadline(text, MONDAY_2PM) is None


def test_a_job_request_with_a_weekday_gets_its_deadline_from_the_time_it_is_read() -> None:
    spec = extract_spec(
        ["Summarise our 40,000 support tickets with Mistral 7B by Friday"], ModelLexicon.from_rows([]), now=MONDAY_2PM
    )
    assert spec.task_type == "batch_inference" and spec.deadline_hours == pytest.approx(100)
    later = extract_spec(
        ["Summarise our 40,000 support tickets with Mistral 7B by Friday"],
        ModelLexicon.from_rows([]),
        now=datetime(2026, 12, 10, 14, 0, tzinfo=UTC),  # the Thursday: one day left
    )
    assert later.deadline_hours == pytest.approx(28)
