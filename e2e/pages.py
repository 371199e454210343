"""Page objects: one per screen, so tests read as a user's steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, expect


@dataclass
class Screen:
    page: Page
    base_url: str

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")


class LoginPage(Screen):
    def log_in(self, email: str, password: str) -> None:
        self.open("/login/")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.locator("main").get_by_role("button", name="Log in").click()
        # Wait for the answer that sets the session: going on at once would cancel it.
        self.page.wait_for_url(lambda url: "/login/" not in url, timeout=30_000)


class Shell(Screen):
    """The navigation bar and the user menu present on every page."""

    def expect_language(self, code: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", code)

    def open_user_menu(self) -> None:
        self.page.get_by_test_id("user-menu").click()

    def switch_language(self, label: str) -> None:
        self.open_user_menu()
        self.page.get_by_test_id("user-menu").locator("xpath=..").get_by_role("button", name=label).click()

    def open_profile(self) -> None:
        self.open_user_menu()
        self.page.get_by_test_id("menu-profile").click()

    def log_out(self) -> None:
        self.open_user_menu()
        self.page.get_by_test_id("logout").click()


class ProfilePage(Screen):
    def open_tokens(self) -> None:
        self.page.get_by_test_id("profile-tokens").click()


class TokensPage(Screen):
    def create(self, name: str) -> str:
        self.page.locator("#id_name").fill(name)
        self.page.get_by_test_id("token-create").click()
        secret = self.page.get_by_test_id("token-secret")
        expect(secret).to_be_visible()
        return secret.input_value()


class SearchBox(Screen):
    def find(self, text: str) -> None:
        box = self.page.locator("#global-search")
        box.fill(text)
        expect(self.page.get_by_test_id("search-results")).to_be_visible()

    def open_hit(self, title: str) -> None:
        self.page.get_by_test_id("search-results").get_by_role("link", name=title).first.click()


class SegmentsPage(Screen):
    def create_dynamic(self, entity: str, name: str, field_label: str, op_label: str, value: str) -> None:
        self.open(f"/clients/segments/new/?entity={entity}")
        self.page.locator("#s-name").fill(name)
        self.page.get_by_test_id("add-condition").click()
        row = self.page.get_by_test_id("condition-row").last
        row.get_by_label("Field").select_option(label=field_label)
        row.get_by_label("Comparison").select_option(label=op_label)
        row.get_by_label("Value").fill(value)
        expect(self.page.get_by_test_id("segment-live-count")).not_to_have_text("—")
        self.page.get_by_test_id("segment-save").click()


class ImportWizard(Screen):
    """Upload → columns → preview → run → report."""

    def upload(self, kind: str, name: str, content: bytes) -> None:
        self.open(f"/clients/imports/new/?kind={kind}")
        self.page.locator("input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
        )
        self.page.get_by_test_id("import-upload").click()
        expect(self.page.get_by_test_id("import-columns")).to_be_visible()

    def confirm_columns(self) -> None:
        self.page.get_by_test_id("import-mapping-save").click()
        expect(self.page.get_by_test_id("import-preview")).to_be_visible()

    def run(self) -> None:
        self.page.get_by_test_id("import-run").click()
        expect(self.page.get_by_test_id("import-progress")).to_be_visible()


class MergePage(Screen):
    def merge(self, survivor: int, absorbed: int) -> None:
        self.open(f"/clients/merge/?a={survivor}&b={absorbed}")
        expect(self.page.get_by_test_id("merge-fields")).to_be_visible()
        self.page.once("dialog", lambda dialog: dialog.accept())
        self.page.get_by_test_id("merge-submit").click()


class ClientCard(Screen):
    """A client's card: log a contact, plan a task, read the timeline."""

    def log_contact(self, client_id: int, kind: str, purpose: str, outcome: str) -> None:
        self.open(f"/clients/{client_id}/")
        self.page.get_by_test_id(f"log-{kind}").click()
        form = self.page.get_by_test_id("activity-form")
        form.get_by_label("Purpose").fill(purpose)
        # Trix makes the element editable once its script has run; wait for that, not
        # merely for the element (a loaded CI machine runs the script late).
        self.page.locator("trix-editor[contenteditable]").fill("Договорились о поставке трёх вагонов")
        form.get_by_label("Client's reaction").select_option(label=outcome)
        self.page.get_by_test_id("activity-save").click()

    def new_task(self, client_id: int, title: str, due: str) -> None:
        self.open(f"/clients/{client_id}/")
        self.page.get_by_test_id("client-task-new").click()
        form = self.page.get_by_test_id("task-form")
        form.get_by_label("What to do").fill(title)
        form.get_by_label("Due").fill(due)
        self.page.get_by_test_id("task-save").click()


class TaskScreen(Screen):
    def complete_with_follow_up(self, result: str, next_title: str, next_due: str) -> None:
        form = self.page.get_by_test_id("task-complete-form")
        form.get_by_label("Result").fill(result)
        self.page.get_by_test_id("complete-log").check()
        self.page.get_by_test_id("complete-next").check()
        form.get_by_label("What to do").fill(next_title)
        form.get_by_label("Due").fill(next_due)
        self.page.get_by_test_id("task-complete").click()


class CalendarScreen(Screen):
    def open_week(self, day: str) -> None:
        self.open(f"/activities/calendar/?view=timeGridWeek&date={day}")
        expect(self.page.get_by_test_id("calendar")).to_be_visible()

    def drag_to_day(self, entry: str, to_date: str) -> None:
        """Drag an entry of the week view to the same time on another day, with the
        mouse, as a user does."""
        source = self.page.locator(f'[data-entry="{entry}"]').first
        target = self.page.locator(f'td.fc-timegrid-col[data-date="{to_date}"]')
        expect(source).to_be_visible()
        start, end = source.bounding_box(), target.bounding_box()
        assert start is not None and end is not None
        x, y = start["x"] + start["width"] / 2, start["y"] + 4
        mouse = self.page.mouse
        mouse.move(x, y)
        mouse.down()
        mouse.move(x + 5, y, steps=5)
        mouse.move(end["x"] + end["width"] / 2, y, steps=20)
        mouse.up()


class DealBoard(Screen):
    """The kanban board of a pipeline: cards dragged between stage columns."""

    def open_pipeline(self, pipeline_id: int) -> None:
        self.open(f"/sales/pipelines/{pipeline_id}/board/")

    def card(self, deal_id: int) -> Any:
        return self.page.locator(f'[data-testid="deal-card"][data-deal="{deal_id}"]')

    def column(self, key: str | int) -> Any:
        return self.page.locator(f'[data-drop="{key}"]')

    def drag(self, deal_id: int, to: str | int) -> None:
        # SortableJS is attached once the board's script has run (again after each
        # reload of the board): a drag before that would move nothing.
        expect(self.page.locator("#board")).to_have_attribute("data-ready", "1", timeout=15_000)
        card = self.card(deal_id)
        target = self.column(to)
        # Mouse steps as a person drags (SortableJS follows the pointer).
        box = card.bounding_box()
        goal = target.bounding_box()
        assert box is not None and goal is not None
        self.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.page.mouse.down()
        self.page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2 + 10, steps=5)
        self.page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 20, steps=15)
        # The columns can shift while a card is dragged (a placeholder opens in the column
        # passed over, the board may scroll): aim again at where the target is now.
        goal = target.bounding_box()
        assert goal is not None
        self.page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 20, steps=3)
        self.page.mouse.up()


class LeadScreen(Screen):
    """A lead's page: qualify it into a client and a deal."""

    def qualify(self, lead_id: int, amount: str) -> None:
        self.open(f"/sales/leads/{lead_id}/")
        form = self.page.get_by_test_id("qualify-form").first
        form.locator('input[name="amount"]').fill(amount)
        self.page.get_by_test_id("lead-qualify").click()


class DealScreen(Screen):
    """A deal's page: issue a document and download its PDF."""

    def issue(self, deal_id: int, kind: str) -> None:
        self.open(f"/sales/deals/{deal_id}/")
        self.page.get_by_test_id("document-kind").select_option(kind)
        self.page.get_by_test_id("document-new").click()
        # The server renders the PDF before it answers: allow for a loaded CI machine.
        expect(self.page.get_by_test_id("document-title")).to_be_visible(timeout=30_000)

    def download_pdf(self) -> bytes:
        with self.page.expect_download(timeout=30_000) as info:
            self.page.get_by_test_id("document-download").click()
        path = info.value.path()
        with open(path, "rb") as file:
            return file.read()
