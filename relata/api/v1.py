"""The REST API, version 1: wiring only (auth, errors, routers of the apps)."""

from __future__ import annotations

from ninja import NinjaAPI, Router

from relata.activities.api import activities as activity_routes
from relata.activities.api import calendar as calendar_routes
from relata.activities.api import planning as planning_routes
from relata.activities.api import rules as rule_routes
from relata.activities.api import settings as activity_settings_routes
from relata.activities.api import tasks as task_routes
from relata.analytics.api import routes as analytics_routes
from relata.analytics.api import sales as analytics_sales_routes
from relata.api import errors
from relata.api.auth import SessionActorAuth, TokenAuth
from relata.catalog.api import routes as catalog_routes
from relata.clients.api import bulk as bulk_routes
from relata.clients.api import clients as client_routes
from relata.clients.api import duplicates as duplicate_routes
from relata.clients.api import imports as import_routes
from relata.clients.api import segments as segment_routes
from relata.clients.api import settings as client_settings_routes
from relata.core.api import audit, jobs, me, notifications, roles, teams, users, workspace
from relata.loyalty.api import routes as loyalty_routes
from relata.orders.api import routes as order_routes
from relata.sales.api import deals as deal_routes
from relata.sales.api import document_settings as document_settings_routes
from relata.sales.api import documents as document_routes
from relata.sales.api import leads as lead_routes
from relata.sales.api import plans as sales_plan_routes
from relata.sales.api import settings as sales_settings_routes

api = NinjaAPI(
    title="Relata API",
    version="1",
    description=(
        "Everything the Relata interface can do. Authenticate with a personal token "
        "(`Authorization: Bearer rl_…`, created in your profile) or a browser session. "
        'Errors have one shape: `{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionActorAuth()],
)
errors.install(api)

v1 = Router()
v1.add_router("/me", me.router)
v1.add_router("/users", users.router)
v1.add_router("/teams", teams.router)
v1.add_router("", roles.router)
v1.add_router("/workspace", workspace.router)
v1.add_router("/audit", audit.router)
v1.add_router("", jobs.router)
v1.add_router("", client_routes.router)
v1.add_router("", bulk_routes.router)
v1.add_router("", import_routes.router)
v1.add_router("", segment_routes.router)
v1.add_router("", duplicate_routes.router)
v1.add_router("", client_settings_routes.router)
v1.add_router("", activity_routes.router)
v1.add_router("", task_routes.router)
v1.add_router("", calendar_routes.router)
v1.add_router("", planning_routes.router)
v1.add_router("", rule_routes.router)
v1.add_router("", activity_settings_routes.router)
v1.add_router("", sales_settings_routes.router)
v1.add_router("", document_settings_routes.router)
v1.add_router("", catalog_routes.router)
v1.add_router("", deal_routes.router)
v1.add_router("", document_routes.router)
v1.add_router("", lead_routes.router)
v1.add_router("", sales_plan_routes.router)
v1.add_router("", order_routes.router)
v1.add_router("", loyalty_routes.router)
v1.add_router("", analytics_routes.router)
v1.add_router("", analytics_sales_routes.router)
v1.add_router("", notifications.router)
api.add_router("/v1/", v1)
