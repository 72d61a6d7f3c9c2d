"""Budgets: amounts, currencies and periods ("$5k a month", "1.200 Dollar insgesamt", "annual budget of $60,000")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import cast

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.roles import one_off_sentence
from stack8s.agents.requirements.rules.reading import (
    _CUR_AFTER,
    _FLAGS,
    _PERIOD,
    Fields,
    Message,
    Reading,
    State,
    _compile,
    _first,
    _inside,
    _loose,
    _number,
    _period_groups,
)
from stack8s.catalogs import fx

_FILLER = (
    r"(?:\s+(?:is|of|at|around|about|approx\.?|approximately|roughly|up to|under|below|max(?:imum)?"
    r"|at most|de|von|ist|es|est|da|do|only|just|a|an|per|monthly|total|will be|would be))"
)


_BUDGET_KEYWORD = _compile(
    rf"(?:{lx.BUDGET_WORDS}){_FILLER}{{0,4}}\s*[:=~]?\s*(?:{lx.CURRENCY})?\s?{lx.AMOUNT}{_CUR_AFTER}?"
    rf"(?![a-z0-9]){_PERIOD}?"
)


_BUDGET_MONEY = (
    re.compile(rf"(?P<cur>{lx.CURRENCY})\s?{lx.AMOUNT}{_CUR_AFTER}?(?![a-z0-9]){_PERIOD}?", _FLAGS),
    *_compile(rf"{lx.AMOUNT}\s?(?P<cur>{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z]){_PERIOD}?"),
    *_compile(rf"{lx.AMOUNT}\s?/\s?(?:{_period_groups(lx.PERIODS)})(?![a-z0-9])"),
)


# Money amounts, removed before looking for GPU names so that "$4090" is not an RTX 4090.
_MONEY = re.compile(
    rf"(?:{lx.CURRENCY})\s?[\d.,]+|(?<![\d.,])[\d.,]+\s?(?:{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z])",
    _FLAGS,
)


@dataclass(frozen=True, slots=True)
class Money:
    """A budget as the user stated it: `amount` of `currency` per `period` ("hour", "month"...; None: as a
    one-off total, or a monthly budget with no period word), and the same per month (the total for a one-off)."""

    amount: float
    currency: str  # ISO 4217, a row of catalogs/data/fx.yaml
    period: str | None
    monthly: float


_CURRENCY_SPELLINGS = tuple(
    (re.compile(pattern, _FLAGS), code)
    for code, pattern in (
        *lx.CURRENCY_SYMBOLS,
        *((code, rf"(?<![a-z])(?:{words})(?![a-z])") for code, words in lx.CURRENCY_CODES),
    )
)


_CURRENCY_NAME = rf"(?:{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z])"


_CURRENCY_SWITCH = _compile(rf"(?:{lx.CURRENCY_SWITCH})\s+{_CURRENCY_NAME}")


_IN_CURRENCY = _compile(rf"in\s+{_CURRENCY_NAME}")  # "budget 1000 per month, in euros"


_ONLY_A_CURRENCY = re.compile(
    rf"^\W*(?:(?:sorry|oops|actually|no|wait|oh)\W+)*(?:(?:in|i meant|meant)\s+)?{_CURRENCY_NAME}\W*"
    rf"(?:(?:not|rather than|instead of)\s+{_CURRENCY_NAME}\W*)?$",
    _FLAGS,
)


def _currency_of(text: str) -> str | None:
    """The currency first named in `text` (leftmost, then longest spelling), as an ISO code."""
    found = [(m.start(), m.start() - m.end(), code) for rx, code in _CURRENCY_SPELLINGS for m in rx.finditer(text)]
    return min(found)[2] if found else None


def _currency_switch(text: str) -> str | None:
    """'Sorry, I meant euros', 'that's in pounds', 'the budget is in GBP': the currency the budget was in."""
    found = _first(_CURRENCY_SWITCH, text)
    if found is not None:
        return _currency_of(found.group())
    whole = _ONLY_A_CURRENCY.match(text) if len(text) <= 80 else None  # "sorry, I meant euros" is short
    return _currency_of(whole.group()) if whole else None


def _budget(msg: Message, state: Reading) -> State:
    """The first monthly budget and the first one-off budget ("$500 in total", "a total budget of $2,000"), in
    the currency they were stated in. A message that only names a currency ("I meant euros") re-reads the
    budgets said before in that currency."""
    out: dict[str, Money] = {}
    switch = _currency_switch(msg.text)
    in_currency = _first(_IN_CURRENCY, msg.text)
    unstated = switch or (_currency_of(in_currency.group()) if in_currency else None) or "USD"
    for found in _budget_matches(msg.text):
        key = "budget_total" if _one_off(msg.text, found) else "budget_monthly"
        if key in out:
            continue
        currency = _currency_of(found.group()) or unstated
        amount = _number(found.group("num"), found.group("scale"), currency in lx.DOT_THOUSANDS_CURRENCIES)
        period = _stated_period(msg.text, found)
        factor = lx.PERIODS[period][1] if period is not None else 1.0
        name = lx.PERIOD_NAMES[lx.PERIODS[period][1]] if period is not None else None
        if amount * factor > 0:
            out[key] = Money(amount, currency, name, amount * factor)
        if len(out) == 2:
            break
    if not out and switch:
        for key in ("budget_monthly", "budget_total"):
            if (said := _loose(state).get(key)) is not None:
                out[key] = replace(said, currency=switch)
    return cast(Reading, out)


def _budget_fields(state: Reading) -> Fields:
    """The budgets in USD, and how any other currency was converted (rate and the rate table's date)."""
    out: Fields = {"budget_monthly_usd": None, "budget_total_usd": None, "currency_note": None}
    notes = []
    for key, source in (("budget_monthly_usd", "budget_monthly"), ("budget_total_usd", "budget_total")):
        money: Money | None = _loose(state).get(source)
        if money is None:
            continue
        usd, rate_note = fx.to_usd(money.monthly, money.currency)
        out[key] = round(usd, 2)
        if rate_note:
            notes.append(_currency_note(money, key == "budget_total_usd", usd, rate_note))
    out["currency_note"] = "; ".join(notes) or None
    return out


def _currency_note(money: Money, total: bool, usd: float, rate_note: str) -> str:
    """'£1,200/month = $1,582/month at 1.318 USD per GBP (ECB euro foreign exchange reference rates, 2026-11-26)'."""
    if total:
        return f"{_money(money.amount, money.currency)} in total = {_money(usd, 'USD')} in total at {rate_note}"
    stated = _money(money.amount, money.currency) + f"/{money.period or 'month'}"
    if money.period not in (None, "month"):
        stated += f" = {_money(money.monthly, money.currency)}/month"
    return f"{stated} = {_money(usd, 'USD')}/month at {rate_note}"


def _money(amount: float, currency: str) -> str:
    """'£1,200', '$1,582' (whole units from 100 up), '€2.50', '900 CHF' (a currency with no symbol)."""
    number = f"{amount:,.0f}" if amount >= 100 or abs(amount - round(amount)) < 0.005 else f"{amount:,.2f}"
    symbol = fx.rate(currency).symbol
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def _budget_matches(text: str) -> list[re.Match[str]]:
    """Budget phrases in order of preference: keyword phrases ("budget of $2k") first, then bare amounts
    that are not part of one, in text order."""
    keyword = [m for p in _BUDGET_KEYWORD for m in p.finditer(text)]
    spans = [m.span() for m in keyword]
    money: list[re.Match[str]] = []
    for found in sorted((m for p in _BUDGET_MONEY for m in p.finditer(text)), key=lambda m: (m.start(), -m.end())):
        if not _inside(found.start(), spans) and not (money and found.start() < money[-1].end()):
            money.append(found)
    # an amount under a limit word ("has to come in under $6k") before one spent today ("we burn $9k on OpenAI")
    money.sort(key=lambda m: _LIMIT_BEFORE.search(text[max(0, m.start() - 24) : m.start()]) is None)
    return keyword + money


_LIMIT_BEFORE = re.compile(
    r"(?:under|below|less than|at most|max(?:imum)?|up to|no more than|within|cap(?:ped)?(?: at)?|limit(?: of)?"
    r"|unter|hochstens|maximal|moins de|au plus|menos de|como maximo|no maximo|ate)\s*[:~]?\s*$",
    _FLAGS,
)


def _one_off(text: str, found: re.Match[str]) -> bool:
    """An amount with no period of its own, next to "total", "one-off", "for the whole run" or the like."""
    if any(found.groupdict().get(f"p{i}") for i in range(len(lx.PERIODS))):
        return False
    before = text[max(0, found.start() - 40) : found.start()]
    after = text[found.end() : found.end() + 60]
    if lx.TOTAL_BEFORE.search(before) is not None or lx.TOTAL_AFTER.match(after) is not None:
        return True
    return one_off_sentence(text, found.start()) and _stated_period(text, found) is None


def _stated_period(text: str, found: re.Match[str]) -> int | None:
    """The PERIODS row an amount states, after it ("$500 a month") or as an adjective before it ("annual budget
    of $60,000", "Hourly budget of $4.10"), in its sentence."""
    period = next((i for i in range(len(lx.PERIODS)) if found.groupdict().get(f"p{i}")), None)
    if period is not None:
        return period
    before = text[max(0, found.start() - 30) : found.start() + 16]  # "annual budget of": the adjective may lead
    before = re.split(r"[.;!?]\s", before)[-1]
    noun = rf"(?:{lx.BUDGET_WORDS}|spend|cap|limit|presupuesto|orcamento)"
    for i, (pattern, _) in enumerate(lx.PERIODS):
        word = rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"
        if re.search(rf"{word}\s+{noun}|{noun}\s+{word}", before, _FLAGS):  # "annual budget", "budget annuel"
            return i
    return None
