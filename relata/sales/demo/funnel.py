"""Drawing the demo's deals: a year of sales walked stage by stage from one seed.

A deal starts on a working day within the last year (never before its client came),
stays in each stage for a while and is lost there with the stage's odds (scaled by how
the client stands: regular clients rarely walk away, cold ones mostly do), and is won
after the last stage. Whatever has not happened by now is where the deal is today: so
the open deals are the recent ones, plus the few that stalled. A client's lifecycle
status bounds its deals: nobody who has not bought yet wins one, a client "ready to buy"
has an offer in progress, a former client stopped buying half a year ago.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from relata.sales.demo import vocabulary as words
from relata.sales.demo.pipelines import Line, StageSpec
from relata.sales.models import DealStatus

SEED = 20_250_610
YEAR = dt.timedelta(days=365)
MARGIN = dt.timedelta(minutes=10)  # nothing happens in the last minutes before "now"
GIVEN_UP = dt.timedelta(days=45)  # a deal stuck longer than this where it cannot go on is lost


@dataclass(frozen=True)
class SalesClient:
    pk: int
    name: str
    status: str  # the lifecycle status key
    owner_id: int
    created_at: dt.datetime
    english: bool
    staff: tuple[int, ...] = ()  # companies: their people's ids, the main contact first


@dataclass(frozen=True)
class Plan:
    """How many deals a client of a lifecycle status has in the year, and how they go."""

    deals: tuple[int, int]  # fewest, most
    odds: float  # multiplies the stages' loss rates
    can_win: bool
    last_stage: int = 99  # the furthest stage its deals reach
    until: dt.timedelta = dt.timedelta(0)  # no deals started more recently than this
    offer_now: bool = False  # one more deal in progress today, not lost


PLANS = {
    "regular_client": Plan((7, 13), 0.4, True),
    "client": Plan((3, 6), 0.7, True),
    "ready_to_buy": Plan((0, 2), 0.9, False, last_stage=3, offer_now=True),
    "considering": Plan((0, 3), 1.3, False, last_stage=3),
    "cold": Plan((0, 1), 2.6, False, last_stage=1),
    "inactive": Plan((1, 3), 1.0, True, until=dt.timedelta(days=180)),
}
# Private buyers buy for one house: fewer deals.
RETAIL_PLANS = {
    "regular_client": Plan((4, 9), 0.5, True),
    "client": Plan((2, 5), 0.8, True),
    "ready_to_buy": Plan((0, 1), 0.9, False, last_stage=3, offer_now=True),
    "considering": Plan((1, 2), 1.3, False, last_stage=3),
    "cold": Plan((0, 1), 2.0, False, last_stage=1),
    "inactive": Plan((1, 2), 1.0, True, until=dt.timedelta(days=180)),
}


@dataclass
class Visit:
    stage: int  # index in the line's stages
    entered_at: dt.datetime
    entered_by: int
    left_at: dt.datetime | None = None
    left_by: int | None = None


@dataclass
class Handoff:
    at: dt.datetime
    by: int
    old: int
    new: int


@dataclass
class DrawnDeal:
    line: Line
    client: SalesClient
    title: str
    amount: Decimal | None
    place: str  # the building site (a private buyer's project) the goods are for
    created_by: int
    owner: int
    repeat: bool = False  # a regular client's next order
    visits: list[Visit] = field(default_factory=list)
    status: str = DealStatus.OPEN
    closed_at: dt.datetime | None = None
    loss_reason: str = ""
    loss_note: str = ""
    expected_close_date: dt.date | None = None
    competitors: list[str] = field(default_factory=list)
    description: str = ""
    contacts: list[int] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)

    @property
    def stage(self) -> int:
        return self.visits[-1].stage

    @property
    def created_at(self) -> dt.datetime:
        return self.visits[0].entered_at


class Funnel:
    """The seeded generator, the clock and the deals drawn so far. `head` is the head of
    sales (who passes requests on to the managers), `teams` the members of each team by
    name (conveyor stages hand deals to them in turn)."""

    def __init__(self, *, now: dt.datetime, time_zone: str, head: int | None, teams: dict[str, list[int]]) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  (demo data)
        self.now = now
        self.tz = zoneinfo.ZoneInfo(time_zone)
        self.head = head
        self.teams = teams
        self.turn: dict[str, int] = {}  # team → the member who got the last deal handed over
        self.deals: list[DrawnDeal] = []

    # --- Time ------------------------------------------------------------------------

    def work_time(self, day: dt.date) -> dt.datetime:
        """A moment of working hours on `day` (a weekend moves to Monday)."""
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        minutes = self.rng.randrange(9 * 60, 18 * 60)
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def later(self, moment: dt.datetime, days: int) -> dt.datetime:
        if days == 0:
            return moment + dt.timedelta(minutes=self.rng.randrange(20, 240))
        return self.work_time(moment.astimezone(self.tz).date() + dt.timedelta(days=days))

    def dwell(self, stage: StageSpec) -> int:
        days = self.rng.randint(*stage.dwell)
        if self.rng.random() < 0.06:  # the client went quiet for a while
            days = days * self.rng.randint(3, 6) + self.rng.randint(5, 20)
        return days

    def starts(self, client: SalesClient, plan: Plan) -> list[dt.datetime]:
        """When the client's deals of the year began, oldest first."""
        rng = self.rng
        count = rng.randint(*plan.deals)
        if plan.deals == (0, 1):
            count = int(rng.random() < 0.4)
        first = max(self.now - YEAR, client.created_at + dt.timedelta(days=1))
        last = self.now - max(plan.until, dt.timedelta(hours=2))
        if first >= last:
            return []
        moments = []
        for _n in range(count):
            day = (first + (last - first) * rng.random()).astimezone(self.tz).date()
            moment = self.work_time(day)
            if first <= moment <= last:
                moments.append(moment)
        return sorted(moments)

    def offer_start(self, client: SalesClient) -> dt.datetime | None:
        """When the deal a client "ready to buy" has in progress began (a few weeks ago)."""
        day = (self.now - dt.timedelta(days=self.rng.randint(12, 40))).astimezone(self.tz).date()
        moment = self.work_time(day)
        return moment if client.created_at < moment < self.now - MARGIN else None

    # --- Words -----------------------------------------------------------------------

    def subject(self, line: Line, client: SalesClient, repeat: bool) -> tuple[str, Decimal, str]:
        """The deal's title, amount and building site."""
        rng = self.rng
        retail = line.spec.retail
        goods_list = words.B2C_GOODS if retail else words.B2B_GOODS
        goods = rng.choices(goods_list, [g.weight for g in goods_list])[0]
        qty = rng.choice(goods.quantities)
        low, high = (words.B2C_MIN, words.B2C_MAX) if retail else (words.B2B_MIN, words.B2B_MAX)
        raw = goods.price * qty * (1 + rng.uniform(-goods.spread, goods.spread) / 100)
        step = 10 if retail else 1000
        amount = Decimal(min(max(round(raw / step) * step, low), high)).quantize(Decimal("0.01"))
        lang = "en" if client.english else "ru"
        place = rng.choice(words.PROJECTS[lang] if retail else words.SITES[lang])
        if client.english:
            name = goods.en if not goods.unit_en else f"{goods.en}, {qty} {goods.unit_en}"
        elif goods.unit == words.PIECES:
            name = goods.ru if qty == 1 else f"{goods.ru}, {qty} шт."
        else:
            name = f"{goods.ru}, {qty} {words.plural(qty, goods.unit)}"
        if goods.unit != words.PIECES or (qty == 1 and goods.spread > 30):  # materials; a plant for a site
            name = f"{name} — {place}"
        prefix = words.REPEAT[lang] if repeat else ""
        return f"{prefix}{name}"[:200], amount, place

    def competitors(self, retail: bool, count: int) -> list[str]:
        if retail:
            return self.rng.sample(words.B2C_COMPETITORS, count)
        names: list[str] = []
        while len(names) < count:
            name = self.rng.choices(words.COMPETITORS, words.COMPETITOR_WEIGHTS)[0]
            if name not in names:
                names.append(name)
        return names

    def lose(self, deal: DrawnDeal, stage: StageSpec, at: dt.datetime) -> None:
        rng = self.rng
        deal.status, deal.closed_at = DealStatus.LOST, at
        deal.loss_reason = rng.choices(list(stage.reasons), list(stage.reasons.values()))[0]
        named = deal.loss_reason == "competitor" or (deal.loss_reason == "price" and rng.random() < 0.5)
        if named and not deal.competitors:
            deal.competitors = self.competitors(deal.line.spec.retail, 1)
        if rng.random() < 0.65:
            notes = words.B2C_LOSS_NOTES if deal.line.spec.retail else words.LOSS_NOTES
            note = rng.choice(notes["en" if deal.client.english else "ru"][deal.loss_reason])
            rival = deal.competitors[0] if deal.competitors else self.competitors(deal.line.spec.retail, 1)[0]
            if "{competitor}" in note and rival not in deal.competitors:
                deal.competitors.append(rival)
            deal.loss_note = note.format(competitor=rival, pct=rng.choice([5, 7, 10, 12, 15]))

    # --- Deals -----------------------------------------------------------------------

    def hand_off(self, deal: DrawnDeal, stage: StageSpec, at: dt.datetime, mover: int) -> None:
        """A conveyor stage with a team: the deal goes to its next member in turn."""
        members = self.teams.get(stage.team) or []
        if not members:
            return
        last = self.turn.get(stage.team)
        following = members[(members.index(last) + 1) % len(members)] if last in members else members[0]
        self.turn[stage.team] = following
        if following != deal.owner:
            deal.handoffs.append(Handoff(at, mover, deal.owner, following))
            deal.owner = following

    def walk(self, deal: DrawnDeal, start: dt.datetime, plan: Plan, *, offer_now: bool = False) -> None:
        """Move the deal along its pipeline from `start` until it is won, lost or it is now."""
        rng = self.rng
        line = deal.line
        stages = line.spec.stages
        path = list(range(len(stages)))
        if deal.repeat and rng.random() < 0.5:
            path.remove(1)  # a repeat order needs no qualification
        furthest = min(plan.last_stage, len(stages) - 1)
        if not line.spec.retail and not deal.client.staff:
            furthest = min(furthest, line.first_requiring("contacts") - 1)  # nobody to sign a contract
        moment, mover = start, deal.created_by
        for index in path:
            stage = stages[index]
            if stage.team and line.pipeline.is_conveyor:
                self.hand_off(deal, stage, moment, mover)
            deal.visits.append(Visit(index, moment, mover))
            leaving = self.later(moment, self.dwell(stage))
            if leaving > self.now - MARGIN:
                return  # still here today
            if not offer_now and rng.random() < stage.loss * plan.odds:
                return self.close(deal, leaving, stage)
            if index == path[-1] and plan.can_win:
                return self.close(deal, leaving)
            if index >= furthest or index == path[-1]:
                # It goes no further: given up in the end, or still hoped for.
                if self.now - moment > GIVEN_UP and not offer_now:
                    return self.close(deal, self.later(moment, rng.randint(20, 40)), stage)
                return
            moment, mover = leaving, deal.owner

    def keep_every_stage_open(self, line: Line) -> None:
        """Every stage of the line shows work in progress: a stage the draw left without
        an open deal (a short dwell, a quiet week) gets back its most recently closed
        deal of the last month, still waiting there (the payment not yet in, the
        refusal not yet final). Without this, whether the last stage of the retail
        conveyor has an open deal depends on the day the demo is made."""
        ours = [deal for deal in self.deals if deal.line is line]
        for index in range(len(line.spec.stages)):
            if any(d.status == DealStatus.OPEN and d.stage == index for d in ours):
                continue
            recent = [
                d
                for d in ours
                if d.stage == index and d.closed_at is not None and self.now - d.closed_at < dt.timedelta(days=30)
            ]
            if not recent:
                continue
            deal = max(recent, key=lambda d: d.closed_at or self.now)
            deal.status, deal.closed_at, deal.loss_reason, deal.loss_note = DealStatus.OPEN, None, "", ""
            deal.visits[-1].left_at, deal.visits[-1].left_by = None, None
            deal.expected_close_date = self.expected(deal)

    def close(self, deal: DrawnDeal, at: dt.datetime, lost_in: StageSpec | None = None) -> None:
        at = min(at, self.now - MARGIN)
        last = deal.visits[-1]
        last.left_at, last.left_by = at, deal.owner
        if lost_in is None:
            deal.status, deal.closed_at = DealStatus.WON, at
        else:
            self.lose(deal, lost_in, at)

    def deal(self, line: Line, client: SalesClient, start: dt.datetime, plan: Plan, **kwargs: bool) -> DrawnDeal:
        rng = self.rng
        previous = self.deals[-1] if self.deals and self.deals[-1].client is client else None
        repeat = previous is not None and previous.status == DealStatus.WON and rng.random() < 0.5
        title, amount, place = self.subject(line, client, repeat)
        creator = client.owner_id
        if self.head and self.head != creator and rng.random() < (0.3 if line.spec.retail else 0.1):
            creator = self.head  # a request the head of sales took and passed on
        deal = DrawnDeal(line, client, title, amount, place, created_by=creator, owner=client.owner_id, repeat=repeat)
        if line.spec.retail:
            deal.owner = creator  # until the order is handed to the team
        self.walk(deal, start, plan, **kwargs)
        for before, after in zip(deal.visits, deal.visits[1:], strict=False):
            before.left_at, before.left_by = after.entered_at, after.entered_by
        self.details(deal)
        self.deals.append(deal)
        return deal

    def details(self, deal: DrawnDeal) -> None:
        """What the deal carries by now: the fields its stages required, and more."""
        rng = self.rng
        line = deal.line
        reached = max(v.stage for v in deal.visits)
        priced = deal.repeat or deal.status == DealStatus.WON or reached >= line.first_requiring("amount")
        if not priced and rng.random() < 0.45:
            deal.amount = None  # not priced yet
        if reached >= line.first_requiring("expected_close_date") or (reached > 0 and rng.random() < 0.7):
            deal.expected_close_date = self.expected(deal)
        lang = "en" if deal.client.english else "ru"
        if not line.spec.retail:
            staff = list(deal.client.staff)
            if staff and (reached >= line.first_requiring("contacts") or rng.random() < (0.75 if reached else 0.4)):
                count = min(len(staff), rng.choices([1, 2, 3], [60, 30, 10])[0])
                deal.contacts = staff[:1] + rng.sample(staff[1:], count - 1)
            if reached >= 2 and not deal.competitors and rng.random() < 0.35:
                deal.competitors = self.competitors(False, rng.choice([1, 1, 2]))
            if rng.random() < 0.4:
                deal.description = rng.choice(words.DESCRIPTIONS[lang]).format(
                    site=deal.place, terms=rng.choice(words.PAYMENT_TERMS[lang])
                )
        elif rng.random() < 0.3:
            deal.description = rng.choice(words.B2C_DESCRIPTIONS[lang]).format(project=deal.place)

    def expected(self, deal: DrawnDeal) -> dt.date:
        """When the manager expects to close: near the actual closing for closed deals;
        for open ones, after what is left of the road (stalled ones are overdue)."""
        rng = self.rng
        created = deal.created_at.astimezone(self.tz).date()
        if deal.closed_at is not None:
            closed = deal.closed_at.astimezone(self.tz).date()
            shift = rng.randint(-10, 7) if deal.status == DealStatus.WON else rng.randint(-3, 25)
            return max(closed + dt.timedelta(days=shift), created + dt.timedelta(days=1))
        stages = deal.line.spec.stages
        ahead = sum((s.dwell[0] + s.dwell[1]) // 2 for s in stages[deal.stage :])
        entered = deal.visits[-1].entered_at.astimezone(self.tz).date()
        return entered + dt.timedelta(days=ahead + rng.randint(0, 10))
