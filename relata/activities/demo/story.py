"""The demo's history of contacts: for every demo client, what its manager did over
the two years it has been with us, following the brick sale of the source documents
(first call → price list → call back → offer → meeting → contract → payment → repeat
orders), as deep as the client's lifecycle status says; private buyers get an estimate
for their house and a visit to the yard, contact persons a few notes of their own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relata.activities.demo.drawing import DemoClient, Drawing, Episode, Later
from relata.activities.demo.routine import routine, schedule


class Story(Drawing):
    """Every client's story, then the routine tasks, then the open tasks' due times."""

    def first_contact(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        rng = self.rng
        if c.source.startswith("Выставка") and rng.random() < 0.7:
            self.log(
                c,
                moment,
                "note",
                "exhibition_note",
                ep,
                body_key="exhibition_note_body",
                author=self.members.get("marketer", c.owner_id),
            )
            moment = self.later(moment, 1, 4)
        inbound = c.source in ("Сайт", "Входящий звонок", "Яндекс Директ", "Рекомендация") or rng.random() < 0.3
        if inbound and rng.random() < 0.5:
            self.log(
                c, moment, "email", "email_first_in", ep, direction="in", body_key="email_first_in_body", thread=True
            )
        elif inbound:
            self.call(c, moment, "call_first_in", ep, "asked_for_offer", direction="in", body_key="call_first_in_body")
        else:
            for _attempt in range(3):
                outcome = rng.choices(["asked_for_offer", "interested", "no_answer", "call_later"], [40, 25, 20, 15])[0]
                self.call(c, moment, "call_first_out", ep, outcome, body_key="call_first_out_body")
                if outcome in ("asked_for_offer", "interested"):
                    break
                moment = self.later(moment, 1, 6)
        return moment

    def price_list(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        moment = self.later(moment, 0, 1)
        self.log(c, moment, "document_sent", "price_list_doc", ep)
        self.log(c, moment + dt.timedelta(minutes=2), "email", "price_list_email", ep, body_key="price_list_email_body")
        return moment

    def call_back(self, c: DemoClient, moment: dt.datetime, ep: Episode, outcomes: list[str]) -> dt.datetime:
        due = self.later(moment, 2, 4)
        done = due + dt.timedelta(minutes=self.rng.randrange(0, 240))
        outcome = self.rng.choice(outcomes)
        row = self.call(c, self.past(done), "call_back", ep, outcome, body_key="call_back_body")
        if self.rng.random() < 0.75:
            self.done_task(c, "call_back", "call_back", "result_call", created=moment, due=due, done=done, activity=row)
        return done

    def offer(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        due = self.later(moment, 1, 3)
        done = self.past(due + dt.timedelta(minutes=self.rng.randrange(0, 300)))
        row = self.log(c, done, "document_sent", "offer_doc", ep, amount=ep.amount)
        self.log(
            c, done + dt.timedelta(minutes=3), "email", "offer_email", ep, body_key="offer_email_body", thread=True
        )
        if self.rng.random() < 0.8:
            self.done_task(
                c, "send_offer", "send_offer", "result_offer", created=moment, due=due, done=done, activity=row
            )
        if self.rng.random() < 0.4:  # the client bargains
            asked = self.later(done, 1, 5)
            self.log(
                c, asked, "email", "discount_email", ep, direction="in", body_key="discount_email_body", thread=True
            )
            due = self.later(asked, 0, 2)
            factor = 1 - Decimal(ep.values["discount"]) / 100
            ep.amount = (ep.amount * factor).quantize(Decimal("0.01"))
            ep.values["amount"] = self.money_text(c, ep.amount)
            row = self.log(c, self.past(due), "document_sent", "discount_doc", ep, amount=ep.amount)
            self.done_task(
                c, "offer_discount", "offer_discount", "result_discount", created=asked, due=due, done=due, activity=row
            )
            done = due
        return done

    def meeting(self, c: DemoClient, moment: dt.datetime, ep: Episode, *, quarterly: bool = False) -> dt.datetime:
        rng = self.rng
        kind = "visit" if not quarterly and rng.random() < 0.4 else "meeting"
        due = self.later(moment, 2, 8)
        head = self.members["head"]
        author, participants = c.owner_id, [head] if rng.random() < 0.25 else []
        if rng.random() < 0.15 and head != c.owner_id:
            author, participants = head, [c.owner_id]
        subject = "quarter_meeting" if quarterly else kind
        row = self.log(
            c,
            self.past(due),
            kind,
            subject,
            ep,
            body_key=f"{subject}_body",
            outcome=rng.choice(["agreed_to_meet", "interested", "thinking"]) if not quarterly else "interested",
            duration=rng.choice([1800, 3600, 5400]),
            author=author,
            participants=participants,
        )
        if rng.random() < 0.8:
            self.done_task(c, "meeting", "meeting", "result_meeting", created=moment, due=due, done=due, activity=row)
        return due + dt.timedelta(hours=2)

    def planned_meeting(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> None:
        """A meeting or visit agreed for the coming days: in the calendar, with its task."""
        rng = self.rng
        kind = rng.choice(["meeting", "visit"])
        when = self.work_time(self.local(self.now).date() + dt.timedelta(days=rng.randint(1, 14)), 10, 17)
        created = min(moment, self.now - dt.timedelta(hours=3))
        self.log(c, when, kind, f"planned_{kind}", ep, duration=3600, author=c.owner_id, created_at=created)
        task = self.open_task(c, "meeting", "meeting", created=created, ep=ep, due=when)
        task.task.remind_before = 60

    def contract(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        rng = self.rng
        due = self.later(moment, 1, 4)
        row = self.log(c, self.past(due), "document_sent", "contract_doc", ep, amount=ep.amount)
        if rng.random() < 0.7:
            self.done_task(
                c,
                "send_documents",
                "send_documents",
                "result_documents",
                created=moment,
                due=due,
                done=due,
                activity=row,
            )
        signed = self.later(due, 2, 7)
        self.log(c, signed, "document_received", "contract_signed", ep)
        return self.invoice_and_payment(c, signed, ep)

    def invoice_and_payment(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        rng = self.rng
        ep.values["doc"] = self.doc_number(moment)
        self.log(c, moment + dt.timedelta(minutes=30), "document_sent", "invoice_doc", ep, amount=ep.amount)
        due = self.later(moment, 3, 5)
        if rng.random() < 0.08:
            self.log(c, self.later(moment, 1, 2), "letter", "guarantee_letter", ep, direction="in")
        paid = self.past(self.later(due, -1 if rng.random() < 0.5 else 0, 2))
        if rng.random() < 0.6:
            row = self.log(c, paid, "document_received", "payment_doc", ep, amount=ep.amount)
        else:
            row = self.log(c, paid, "note", "payment_note", ep, body_key="payment_note_body")
        if rng.random() < 0.85:
            kinds = ("control_payment", "control_payment", "result_payment")
            self.done_task(c, *kinds, created=moment, due=due, done=paid, ep=ep, activity=row)
        return paid

    def shipment(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        rng = self.rng
        moment = self.later(moment, 0, 2)
        roll = rng.random()
        if roll < 0.45:
            self.log(c, moment, "document_sent", "shipment_doc", ep)
        elif roll < 0.8:
            self.log(c, moment, "note", "shipment_note", ep, body_key="shipment_note_body")
        else:
            direction = rng.choice(["in", "out"])
            self.log(c, moment, "message", f"message_{direction}", ep, direction=direction)
        if rng.random() < 0.06:
            moment = self.later(moment, 1, 3)
            self.call(c, moment, "complaint_call", ep, "thinking", direction="in", body_key="complaint_body")
        return moment

    def order(self, c: DemoClient, moment: dt.datetime, ep: Episode) -> dt.datetime:
        """A repeat order: the request, the invoice, the payment, the shipment."""
        if self.rng.random() < 0.6:
            self.log(c, moment, "email", "order_email", ep, direction="in", body_key="order_email_body", thread=True)
            reply = moment + dt.timedelta(minutes=self.rng.randrange(10, 120))
            self.log(c, reply, "email", "order_reply", ep, body_key="order_reply_body", thread=True)
        else:
            self.call(c, moment, "order_call", ep, "interested", direction="in")
        paid = self.invoice_and_payment(c, moment, ep)
        return self.shipment(c, paid, ep)

    def keep_in_touch(self, c: DemoClient, moment: dt.datetime, until: dt.datetime, ep: Episode) -> dt.datetime:
        """A client who has not decided: a call or a letter every month or two."""
        rng = self.rng
        while True:
            following = self.later(moment, 25, 80)
            if following >= until:
                return moment
            moment = following
            if rng.random() < 0.65:
                outcome = rng.choices(["thinking", "call_later", "no_answer", "interested"], [35, 25, 25, 15])[0]
                self.call(c, moment, "nurture_call", ep, outcome)
            else:
                self.log(c, moment, "email", "nurture_email", ep, body_key="nurture_email_body")

    # --- Whole stories -----------------------------------------------------------------

    def client(self, c: DemoClient) -> None:
        """The whole history of one client, up to now."""
        start = c.created_at + dt.timedelta(hours=self.rng.randrange(1, 30))
        start = self.work_time(self.local(start).date())
        if start < c.created_at:
            start = c.created_at + dt.timedelta(minutes=30)
        self.last = start
        try:
            if c.kind == "company":
                self.company(c, start)
            elif c.employed:
                self.contact_person(c, start)
            else:
                self.buyer(c, start)
        except Later:
            # Caught up with the present in the middle of a sale: its next step is a task.
            if c.status not in ("cold", "inactive") and not c.employed and self.rng.random() < 0.8:
                title = "call_back" if c.status in ("considering", "ready_to_buy") else "call_back_later"
                self.open_task(c, "call_back", title, created=self.last)

    def company(self, c: DemoClient, start: dt.datetime) -> None:
        rng = self.rng
        ep = self.episode(c, start)
        last = start
        if c.status == "cold":
            if not c.reachable:
                if rng.random() < 0.3:
                    self.open_task(c, "call_back", "call_first", created=start)
                return
            for _n in range(rng.randint(1, 3)):
                outcome = rng.choices(
                    ["no_answer", "call_later", "has_supplier", "refused", "interested"], [4, 3, 3, 1, 2]
                )
                self.call(c, last, "call_first_out", ep, outcome[0], body_key="call_first_out_body")
                last = self.later(last, 30, 200)
            if rng.random() < 0.35:
                self.open_task(c, "call_back", "call_first", created=last)
            return
        moment = self.first_contact(c, start, ep)
        last = moment
        if c.status in ("considering", "ready_to_buy"):
            recent = self.work_time(self.local(self.now).date() - dt.timedelta(days=rng.randint(15, 60)))
            moment = self.keep_in_touch(c, moment, recent, ep)
            ep = self.episode(c, max(moment, recent))
            moment = self.price_list(c, max(moment, recent), ep)
            last = moment
            moment = last = self.call_back(c, moment, ep, ["thinking", "asked_for_offer", "interested"])
            if c.status == "considering":
                if rng.random() < 0.75:
                    self.open_task(c, "call_back", "call_back", created=last, ep=ep)
                return
            moment = last = self.offer(c, moment, ep)
            if rng.random() < 0.35:
                self.planned_meeting(c, last, ep)
            else:
                last = self.meeting(c, moment, ep)
                kind = rng.choice(["send_documents", "offer_discount", "call_back"])
                self.open_task(c, kind, kind, created=last, ep=ep)
            return
        # Clients, regular clients, and those we lost: the whole sale, then repeat orders.
        moment = self.price_list(c, moment, ep)
        moment = self.call_back(c, moment, ep, ["asked_for_offer", "interested", "agreed_to_meet"])
        moment = self.offer(c, moment, ep)
        if rng.random() < 0.7:
            moment = self.meeting(c, moment, ep)
        moment = last = self.contract(c, moment, ep)
        moment = last = self.shipment(c, moment, ep)
        end = self.now if c.status != "inactive" else self.now - dt.timedelta(days=rng.randint(120, 300))
        gap = {"regular_client": (18, 45), "client": (45, 120)}.get(c.status, (50, 120))
        next_review = moment + dt.timedelta(days=90)
        while True:
            following = self.later(moment, *gap)
            if following >= end:
                break
            ep = self.episode(c, following)
            if c.status == "regular_client" and following > next_review:
                self.meeting(c, following - dt.timedelta(days=5), ep, quarterly=True)
                next_review = following + dt.timedelta(days=90)
            if self.local(following).month == 1 and rng.random() < 0.5:
                self.log(c, following - dt.timedelta(days=2), "letter", "reconciliation_letter", ep)
            moment = last = self.order(c, following, ep)
        if c.status == "inactive":
            for _n in range(rng.randint(1, 2)):
                moment = self.later(moment, 40, 90)
                self.call(c, moment, "lost_call", ep, rng.choice(["no_answer", "has_supplier", "call_later"]))
            if rng.random() < 0.6:
                self.log(c, self.later(moment, 0, 1), "note", "lost_note", ep, body_key="lost_note_body")
            if rng.random() < 0.2:
                self.open_task(c, "call_back", "call_back_later", created=moment)
            return
        chance = 0.8 if c.status == "regular_client" else 0.5
        if rng.random() < chance:
            kind = rng.choice(["control_payment", "call_back", "send_documents"])
            title = {"call_back": "call_back_later"}.get(kind, kind)
            self.open_task(c, kind, title, created=last, ep=ep)
        if c.status == "regular_client" and rng.random() < 0.2:
            self.planned_meeting(c, last, ep)

    def buyer(self, c: DemoClient, start: dt.datetime) -> None:
        """A private buyer: an estimate for a house, a visit to the yard, a delivery."""
        rng = self.rng
        ep = self.episode(c, start, buyer=True)
        if rng.random() < 0.7:
            self.call(c, start, "buyer_call_in", ep, "asked_for_offer", direction="in", body_key="buyer_call_in_body")
        else:
            self.log(c, start, "message", "buyer_message_in", ep, direction="in")
        if c.status == "cold":
            if rng.random() < 0.3:
                self.open_task(c, "call_back", "call_back", created=start, ep=ep)
            return
        moment = start
        if c.status in ("considering", "ready_to_buy"):
            recent = self.work_time(self.local(self.now).date() - dt.timedelta(days=rng.randint(10, 45)))
            moment = self.keep_in_touch(c, moment, recent, ep)
            moment = max(moment, recent)
        estimate = self.later(moment, 0, 2)
        row = self.log(c, estimate, "document_sent", "buyer_estimate", ep, amount=ep.amount)
        if rng.random() < 0.6:
            kinds = ("send_offer", "send_offer", "result_offer")
            self.done_task(c, *kinds, created=moment, due=estimate, done=estimate, activity=row)
        moment = self.later(estimate, 1, 4)
        self.call(c, moment, "buyer_call_back", ep, rng.choice(["thinking", "agreed_to_meet", "interested"]))
        if c.status == "considering":
            if rng.random() < 0.7:
                self.open_task(c, "call_back", "call_back", created=moment, ep=ep)
            return
        if c.status == "ready_to_buy":
            self.planned_meeting(c, moment, ep)
            return
        purchases = {"regular_client": rng.randint(2, 4), "client": 1, "inactive": 1}.get(c.status, 1)
        for n in range(purchases):
            if n:
                moment = self.later(moment, 60, 160)
                ep = self.episode(c, moment, buyer=True)
            visit = self.later(moment, 1, 6)
            body = "buyer_visit_body"
            self.log(c, visit, "visit", "buyer_visit", ep, body_key=body, duration=2700, outcome="interested")
            paid = self.invoice_and_payment(c, visit, ep)
            moment = self.later(paid, 1, 4)
            self.log(c, moment, "note", "buyer_delivery", ep, body_key="buyer_delivery_body")
        if c.status != "inactive" and rng.random() < 0.3:
            self.open_task(c, "call_back", "call_back_later", created=moment, ep=ep)

    def contact_person(self, c: DemoClient, start: dt.datetime) -> None:
        """A company's contact person: their history is the company's, and a few notes."""
        rng = self.rng
        if rng.random() < 0.25:
            ep = self.episode(c, start)
            self.log(c, self.later(start, 30, 500), "note", "contact_note", ep, body_key="contact_note_body")

    def everything(self, clients: list[DemoClient]) -> None:
        for c in clients:
            self.client(c)
        routine(self)
        schedule(self)
