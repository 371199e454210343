"""Drawing the demo's rows: the seeded random generator, working hours in the
workspace's time zone, the words in the client's language, and one activity or task at
a time, built unsaved with what goes with it (contact persons, colleagues taking part,
creation times). `story` tells the sales with these; `writing` stores the rows.

Invariants the services keep hold here too: a direction only for directed kinds, no
activity in the future but a meeting or visit agreed earlier, finished tasks with their
result, completion time and author, a reminder's time following the due time.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from relata.activities.demo.vocabulary import (
    OUTCOME_NOTES,
    PALLET_FORMS,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    PROJECTS,
    SITES,
    TASKS,
    TEXTS,
    Product,
)
from relata.activities.models import DIRECTED_KINDS, SCHEDULED_KINDS, Activity, Task, TaskStatus
from relata.activities.richtext import sanitize_html
from relata.clients.demo.vocabulary import transliterate

SEED = 20_250_602
# Nothing but a meeting is logged this close to "now" or later: the demo is built once
# and looked at seconds later, so the margin keeps it in the past for whoever looks.
PAST_MARGIN = dt.timedelta(minutes=10)


class Later(Exception):
    """The story of a client has reached the present: the rest has not happened yet."""


@dataclass(frozen=True)
class Contact:
    pk: int
    greeting: str  # "Сергей Петрович", "John"
    signature: str  # "Сергей Иванов", "John Smith"


@dataclass
class DemoClient:
    pk: int
    kind: str
    name: str
    status: str  # the lifecycle status's key
    owner_id: int
    created_at: dt.datetime
    source: str
    english: bool
    reachable: bool  # has a phone or an e-mail
    staff: list[Contact] = field(default_factory=list)  # a company's contact persons
    employed: bool = False  # a person who is some company's contact person
    self_contact: Contact | None = None  # a person: how to greet them


@dataclass
class ActivityRow:
    activity: Activity
    created_at: dt.datetime
    contacts: list[int] = field(default_factory=list)
    participants: list[int] = field(default_factory=list)


@dataclass
class TaskRow:
    task: Task
    created_at: dt.datetime
    activity: ActivityRow | None = None  # the contact logged when it was done
    first: TaskRow | None = None  # the series' first occurrence
    bucket: str = ""  # open tasks: "overdue", "today", "upcoming" (set by `schedule`)


@dataclass
class Episode:
    """What one sale is about: a product, a quantity, a site, an amount, a thread."""

    values: dict[str, str]
    amount: Decimal
    thread: str = ""


class Drawing:
    """The seeded random generator, the clock and the rows drawn so far, with the
    primitives the story is told in: working hours, words, one activity, one task.
    `members` maps "admin", "head", "manager", "manager2", "marketer" to user ids."""

    def __init__(
        self,
        *,
        workspace_id: int,
        now: dt.datetime,
        time_zone: str,
        members: dict[str, int],
        names: dict[int, str],
        outcomes: dict[str, int],
        task_types: dict[str, int],
    ) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  (demo data)
        self.workspace_id = workspace_id
        self.now = now
        self.time_zone = time_zone
        self.tz = zoneinfo.ZoneInfo(time_zone)
        self.members = members
        self.names = names
        self.outcomes = outcomes
        self.types = task_types
        self.activities: list[ActivityRow] = []
        self.tasks: list[TaskRow] = []
        self.number = 100
        self.last = now  # the latest contact logged with the client being drawn

    # --- Time ------------------------------------------------------------------------

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def work_time(self, day: dt.date, start: int = 9, end: int = 18) -> dt.datetime:
        """A moment of working hours on `day` (moved to Monday from a weekend)."""
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        minutes = self.rng.randrange(start * 60, end * 60)
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def later(self, moment: dt.datetime, low: int, high: int) -> dt.datetime:
        """A working moment `low`…`high` days after `moment` (same day: a later hour)."""
        days = self.rng.randint(low, high)
        if days == 0:
            return moment + dt.timedelta(minutes=self.rng.randrange(20, 180))
        return self.work_time(self.local(moment).date() + dt.timedelta(days=days))

    def past(self, moment: dt.datetime) -> dt.datetime:
        if moment > self.now - PAST_MARGIN:
            raise Later
        return moment

    # --- Words -------------------------------------------------------------------------

    def text(self, c: DemoClient, key: str, values: dict[str, str]) -> str:
        return self.rng.choice(TEXTS["en" if c.english else "ru"][key]).format(**values)

    def task_text(self, c: DemoClient | None, key: str, values: dict[str, str] | None = None) -> str:
        english = c is not None and c.english
        return self.rng.choice(TASKS["en" if english else "ru"][key]).format(**(values or {}))

    def signed(self, c: DemoClient, user_id: int) -> str:
        name = self.names.get(user_id, "")
        return " ".join(part.capitalize() for part in transliterate(name).split("-")) if c.english else name

    def quantity(self, c: DemoClient, pallets: int) -> str:
        if c.english:
            return f"{pallets} pallets"
        if pallets % 10 == 1 and pallets % 100 != 11:
            form = PALLET_FORMS[0]
        elif 2 <= pallets % 10 <= 4 and not 12 <= pallets % 100 <= 14:
            form = PALLET_FORMS[1]
        else:
            form = PALLET_FORMS[2]
        return f"{pallets} {form}"

    def money_text(self, c: DemoClient, amount: Decimal) -> str:
        whole = f"{int(amount):,}"
        return f"RUB {whole}" if c.english else whole.replace(",", "\u00a0") + "\u00a0₽"

    def doc_number(self, moment: dt.datetime) -> str:
        self.number += self.rng.randrange(1, 4)
        return f"{self.local(moment):%y}-{self.number:04d}"

    def episode(self, c: DemoClient, moment: dt.datetime, *, buyer: bool = False) -> Episode:
        """A new sale: the product, how much, for which site, and what it costs."""
        rng = self.rng
        product: Product = rng.choices(PRODUCTS, PRODUCT_WEIGHTS)[0]
        pallets = rng.choice([6, 8, 10, 12, 16] if buyer else [10, 12, 15, 20, 24, 30, 40, 60])
        price = product.pallet_price * (1 + rng.randrange(-6, 7) / 100)
        amount = Decimal(round(pallets * price, -2)).quantize(Decimal("0.01"))
        lang = "en" if c.english else "ru"
        local = self.local(moment)
        values = {
            "product": product.en if c.english else product.ru,
            "qty": self.quantity(c, pallets),
            "site": rng.choice(SITES[lang]),
            "project": rng.choice(PROJECTS[lang]),
            "doc": self.doc_number(moment),
            "pay": str(rng.randrange(100, 9999)),
            "amount": self.money_text(c, amount),
            "year": str(local.year),
            "last_year": str(local.year - 1),
            "date": "",
            "discount": str(rng.choice([3, 5, 7])),
            "company": c.name,
            "me": "",
            "contact": "",
            "signature": "",
        }
        return Episode(values, amount)

    # --- Rows --------------------------------------------------------------------------

    def author(self, c: DemoClient, *, colleague: float = 0.04) -> int:
        """The client's owner, sometimes a colleague standing in (the head of sales, the
        other manager)."""
        if self.rng.random() < colleague:
            others = [self.members[k] for k in ("head", "manager", "manager2") if self.members.get(k) != c.owner_id]
            if others:
                return self.rng.choice(others)
        return c.owner_id

    def contacts_for(self, c: DemoClient, kind: str) -> list[Contact]:
        if not c.staff or kind in ("note", "document_sent", "document_received", "letter"):
            return []
        if self.rng.random() < 0.2:
            return []
        chosen = [c.staff[0] if self.rng.random() < 0.6 else self.rng.choice(c.staff)]
        if kind in SCHEDULED_KINDS and len(c.staff) > 1 and self.rng.random() < 0.4:
            chosen.append(next(s for s in c.staff if s != chosen[0]))
        return chosen

    def log(
        self,
        c: DemoClient,
        moment: dt.datetime,
        kind: str,
        subject_key: str,
        ep: Episode,
        *,
        direction: str = "out",
        body_key: str = "",
        outcome: str = "",
        duration: int | None = None,
        amount: Decimal | None = None,
        thread: bool = False,
        author: int | None = None,
        participants: list[int] | None = None,
        created_at: dt.datetime | None = None,
    ) -> ActivityRow:
        """One activity of `c` at `moment`; only a meeting or visit that was agreed at
        `created_at` may lie ahead."""
        if created_at is None or kind not in SCHEDULED_KINDS:
            self.past(moment)  # only a meeting or visit agreed earlier (`created_at`) lies ahead
        author_id = author or self.author(c)
        people = self.contacts_for(c, kind)
        greeting = c.self_contact or (people[0] if people else None)
        values = dict(
            ep.values,
            me=self.signed(c, author_id),
            date=f"{self.local(moment) + dt.timedelta(days=self.rng.randint(1, 4)):%d.%m.%Y}",
            contact=greeting.greeting if greeting else ("colleagues" if c.english else "коллеги"),
            signature=greeting.signature if greeting else c.name,
        )
        note = ""
        if outcome and self.rng.random() < 0.45:
            note = self.rng.choice(OUTCOME_NOTES["en" if c.english else "ru"][outcome])
        if thread and not ep.thread:
            ep.thread = f"<{self.local(moment):%Y%m%d%H%M}.{c.pk}.{self.rng.randrange(10**6)}@kirpich-dvor.ru>"
        activity = Activity(
            workspace_id=self.workspace_id,
            client_id=c.pk,
            author_id=author_id,
            kind=kind,
            direction=direction if kind in DIRECTED_KINDS else "",
            occurred_at=moment,
            duration=duration,
            email_thread=ep.thread if kind == "email" and thread else "",
            subject=self.text(c, subject_key, values)[:300],
            body=sanitize_html(self.text(c, body_key, values)) if body_key else "",
            outcome_id=self.outcomes[outcome] if outcome else None,
            outcome_note=note,
            amount=amount,
            currency="RUB" if amount is not None else "",
        )
        if moment <= self.now:
            self.last = max(self.last, moment)
        row = ActivityRow(
            activity,
            created_at or moment,
            contacts=[p.pk for p in people],
            participants=sorted(set(participants or []) - {author_id}),
        )
        self.activities.append(row)
        return row

    def call(
        self,
        c: DemoClient,
        moment: dt.datetime,
        subject_key: str,
        ep: Episode,
        outcome: str,
        *,
        direction: str = "out",
        body_key: str = "",
    ) -> ActivityRow:
        duration = None if outcome == "no_answer" else self.rng.randrange(40, 900)
        return self.log(
            c,
            moment,
            "call",
            subject_key,
            ep,
            direction=direction,
            outcome=outcome,
            duration=duration,
            body_key=body_key if duration else "",
        )

    def done_task(
        self,
        c: DemoClient,
        type_key: str,
        title_key: str,
        result_key: str,
        *,
        created: dt.datetime,
        due: dt.datetime,
        done: dt.datetime,
        ep: Episode | None = None,
        activity: ActivityRow | None = None,
    ) -> TaskRow | None:
        """A task that was done (sometimes cancelled) at `done`; None if that is ahead."""
        if done > self.now - PAST_MARGIN or created > done:
            return None
        rng = self.rng
        cancelled = rng.random() < 0.04
        assignee = c.owner_id
        task = Task(
            workspace_id=self.workspace_id,
            type_id=self.types[type_key],
            title=self.task_text(c, title_key, ep.values if ep else None)[:200],
            description=self.task_text(c, "description"),
            due_at=due,
            priority=rng.choices(["normal", "high", "low", "urgent"], [80, 12, 5, 3])[0],
            assignee_id=assignee,
            created_by_id=self.members["head"] if rng.random() < 0.08 else assignee,
            client_id=c.pk,
            status=TaskStatus.CANCELLED if cancelled else TaskStatus.DONE,
            completed_at=done,
            completed_by_id=assignee,
            result=self.task_text(c, "cancel" if cancelled else result_key),
            timeline_at=done,
            version=2,
        )
        if rng.random() < 0.2:
            task.remind_before = rng.choice([15, 30, 60])
            task.remind_at = due - dt.timedelta(minutes=task.remind_before)
            task.reminded_at = task.remind_at
        row = TaskRow(task, created, None if cancelled else activity)
        self.tasks.append(row)
        return row

    def open_task(
        self,
        c: DemoClient,
        type_key: str,
        title_key: str,
        *,
        created: dt.datetime,
        ep: Episode | None = None,
        due: dt.datetime | None = None,
    ) -> TaskRow:
        """The client's next step, still to do; without `due` it gets one from the
        assignee's mix of overdue, today's and upcoming tasks (`schedule`)."""
        rng = self.rng
        created = min(created, self.now - dt.timedelta(hours=1))
        task = Task(
            workspace_id=self.workspace_id,
            type_id=self.types[type_key],
            title=self.task_text(c, title_key, ep.values if ep else None)[:200],
            description=self.task_text(c, "description"),
            due_at=due or self.now,
            priority=rng.choices(["normal", "high", "low", "urgent"], [70, 20, 5, 5])[0],
            assignee_id=c.owner_id,
            created_by_id=self.members["head"] if rng.random() < 0.1 else c.owner_id,
            client_id=c.pk,
            timeline_at=created,
        )
        if rng.random() < 0.35:
            task.remind_before = rng.choice([15, 30, 60, 120, 1440])
            task.remind_by_email = rng.random() < 0.3
        row = TaskRow(task, created, bucket="" if due else "pending")
        self.tasks.append(row)
        return row
