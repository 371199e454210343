"""The category tree: add, rename, move (another parent), reorder and delete categories."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.catalog.forms import CategoryForm
from relata.catalog.selectors.categories import category_get, category_tree
from relata.catalog.services.categories import category_delete, category_save
from relata.core.decorators import permission_required
from relata.web.editing import render_form, run_action, save_form


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "parent": data["parent"], "position": data["position"]}


@permission_required("catalog", "view")
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    context: dict[str, Any] = {"nodes": category_tree(actor)}
    if actor.can("catalog", "create"):
        context["form"] = CategoryForm(actor=actor, auto_id="new_%s")
    return render(request, "catalog/categories.html", context)


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def category_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial = {"parent": int(request.GET["parent"])} if request.GET.get("parent", "").isdigit() else {}
    form = CategoryForm(request.POST or None, actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: category_save(actor, values=_values(data)),
        success_url=reverse("catalog:categories"),
        success_message=lambda saved: _("The category “%(name)s” has been added.") % {"name": saved.name},
    )
    return render_form(request, "catalog/category_form.html", form, outcome, {"category": None})


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    category = category_get(actor, pk)
    initial = {"name": category.name, "parent": category.parent_id, "position": category.position}
    form = CategoryForm(request.POST or None, actor=actor, exclude=category.pk, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: category_save(actor, category_id=category.pk, values=_values(data)),
        success_url=reverse("catalog:categories"),
        success_message=_("The category has been saved."),
    )
    context = {"category": category, "can_delete": actor.can("catalog", "delete")}
    return render_form(request, "catalog/category_form.html", form, outcome, context)


@permission_required("catalog", "delete")
@require_POST
def category_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    category = category_get(actor, pk)
    deleted = run_action(
        request,
        lambda: category_delete(actor, category_id=category.pk),
        success_message=_("The category “%(name)s” has been deleted.") % {"name": category.name},
    )
    if deleted:
        return HttpResponseRedirect(reverse("catalog:categories"))
    return HttpResponseRedirect(reverse("catalog:category_edit", args=[category.pk]))


urls = [
    path("categories/", category_list, name="categories"),
    path("categories/new/", category_new, name="category_new"),
    path("categories/<int:pk>/", category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", category_delete_view, name="category_delete"),
]
