"""A manager's day with clients: log a call on a client, complete a task with its
follow-up, see a reminder appear live in another open page, reschedule in the calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.pages import CalendarScreen, ClientCard, LoginPage, TaskScreen
from relata.activities.models import Activity, Task
from relata.activities.services.reminders import reminders_deliver
from relata.activities.services.tasks import task_create
from relata.clients.models import Client
from relata.core.demo import DEMO_PASSWORD
from relata.core.models import Membership

MANAGER = "manager@demo.relata.test"


def local(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def test_a_managers_day_with_clients(page: Page, live_server, demo) -> None:
    manager = Membership.objects.select_related("user", "workspace").get(user__email=MANAGER)
    tz = zoneinfo.ZoneInfo(manager.user.time_zone or manager.workspace.time_zone)
    client = Client.objects.filter(owner=manager.user, kind="company").order_by("pk").first()
    LoginPage(page, live_server.url).log_in(MANAGER, DEMO_PASSWORD)

    # Log a call on the client's card: it heads the timeline.
    card = ClientCard(page, live_server.url)
    card.log_contact(client.pk, "call", "Звонок из браузерного теста", "Interested")
    expect(page).to_have_url(f"{live_server.url}/clients/{client.pk}/")
    first_entry = page.get_by_test_id("timeline").locator("li").first
    expect(first_entry).to_contain_text("Звонок из браузерного теста")
    expect(first_entry).to_contain_text("Interested")
    call = Activity.objects.get(subject="Звонок из браузерного теста")
    assert "трёх вагонов" in call.body and call.author_id == manager.user_id

    # Plan a task, then complete it, logging the contact and planning the next step.
    due = timezone.now() + dt.timedelta(hours=3)
    # The next step on the next Tuesday at 11:00, so that Wednesday is in the same week.
    tuesday = timezone.localtime(timezone.now(), tz).date() + dt.timedelta(days=2)
    while tuesday.weekday() != 1:
        tuesday += dt.timedelta(days=1)
    next_due = dt.datetime.combine(tuesday, dt.time(11, 0), tzinfo=tz)
    card.new_task(client.pk, "Уточнить объём поставки", local(due, tz))
    expect(page).to_have_url(f"{live_server.url}/clients/{client.pk}/")  # back on the card
    page.get_by_test_id("client-tasks").get_by_role("link", name="Уточнить объём поставки").click()
    expect(page.get_by_test_id("task-title")).to_contain_text("Уточнить объём поставки")
    TaskScreen(page, live_server.url).complete_with_follow_up("Нужно три вагона", "Выставить счёт", local(next_due, tz))
    expect(page.get_by_test_id("task-state")).to_contain_text("Done")
    done = Task.objects.get(title="Уточнить объём поставки")
    follow_up = Task.objects.get(title="Выставить счёт")
    assert done.status == "done" and follow_up.client_id == client.pk and follow_up.is_open
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.get_by_test_id("client-tasks")).to_contain_text("Выставить счёт")

    # Another open page gets the reminder live, without reloading.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/activities/tasks/")
    task_create(
        manager,
        values={
            "type": follow_up.type_id,
            "title": "Напомнить клиенту об оплате",
            "due_at": timezone.now() + dt.timedelta(minutes=3),
            "remind_before": 5,
            "client": client.pk,
        },
    )
    assert reminders_deliver() >= 1  # what the worker's periodic sweep does
    toast = other.get_by_test_id("toast").filter(has_text="Напомнить клиенту об оплате")
    expect(toast).to_be_visible(timeout=15_000)
    expect(other.get_by_test_id("unread-count")).not_to_have_text("0")
    other.close()

    # Reschedule the follow-up by dragging it to the next day in the calendar.
    calendar = CalendarScreen(page, live_server.url)
    calendar.open_week(tuesday.isoformat())
    old = timezone.localtime(follow_up.due_at, tz)
    new_day = old.date() + dt.timedelta(days=1)
    calendar.drag_to_day(f"task-{follow_up.pk}", new_day.isoformat())
    follow_up.refresh_from_db()
    expect(page.get_by_test_id("calendar-message")).to_be_hidden()
    for _attempt in range(50):
        follow_up.refresh_from_db()
        if timezone.localtime(follow_up.due_at, tz).date() == new_day:
            break
        page.wait_for_timeout(100)
    moved = timezone.localtime(follow_up.due_at, tz)
    assert moved.date() == new_day
    assert (moved.hour, moved.minute) == (old.hour, old.minute)  # the same time of day
