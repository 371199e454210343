"""Product pages: the catalog list (search, filters, sort, pages), one product with its
prices in every list, the create/edit form and taking a product out of use and back."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.catalog.forms import ProductForm, product_initial
from relata.catalog.models import Product, ProductKind
from relata.catalog.selectors.categories import category_choices
from relata.catalog.selectors.products import filter_products, product_get, product_prices, products_visible_to
from relata.catalog.services.products import product_archive, product_create, product_restore, product_update
from relata.core.decorators import permission_required
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.web.editing import render_form, run_action, save_form
from relata.web.forms import StyledForm
from relata.web.lists import Column, build_list, render_list


def vat_label(product: Product) -> str:
    return _("without VAT") if product.vat_rate is None else f"{product.vat_rate:.0f}%"


# django-filter has no type information: its FilterSet is Any to mypy.
class ProductFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(
        label=gettext_lazy("Name or SKU"),
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}),
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Category"), method="in_category", empty_label=gettext_lazy("All")
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=ProductKind.choices, empty_label=gettext_lazy("All")
    )
    # Empty (the default) shows the products in use; the filter narrows the others.
    is_active = django_filters.ChoiceFilter(
        label=gettext_lazy("Use"),
        choices=[("archived", gettext_lazy("Out of use")), ("all", gettext_lazy("All"))],
        empty_label=gettext_lazy("In use"),
        method="in_use",
    )

    class Meta:
        model = Product
        fields = ["q", "category", "kind", "is_active"]
        form = StyledForm

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.filters["category"].extra["choices"] = category_choices(actor)

    def search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return filter_products(self.actor, queryset, q=value)

    def in_category(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        category_id = as_id(value)
        return filter_products(self.actor, queryset, category_id=category_id) if category_id else queryset

    def in_use(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset  # the view applies the default; "archived" and "all" widen it there


PRODUCT_COLUMNS = [
    Column("name", gettext_lazy("Name"), sort="name", template="catalog/_product_name.html"),
    Column("sku", gettext_lazy("SKU"), sort="sku", css="text-nowrap"),
    Column("category", gettext_lazy("Category"), sort="category__name"),
    Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda p: p.get_kind_display()),
    Column("unit", gettext_lazy("Unit"), sort="unit", value=lambda p: p.get_unit_display()),
    Column("vat_rate", gettext_lazy("VAT"), sort="vat_rate", value=vat_label, css="text-end"),
    Column("updated_at", gettext_lazy("Changed"), sort="updated_at"),
]


@permission_required("catalog", "view")
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    queryset = products_visible_to(actor)
    use = request.GET.get("is_active", "")
    if use == "archived":
        queryset = queryset.filter(is_active=False)
    elif use != "all":
        queryset = queryset.filter(is_active=True)
    state = build_list(
        request,
        queryset,
        columns=PRODUCT_COLUMNS,
        default_sort="name",
        filterset_class=ProductFilter,
        filterset_kwargs={"actor": actor},
    )
    return render_list(request, "catalog/products.html", state)


@permission_required("catalog", "view")
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    product = product_get(actor, pk)
    context = {"product": product, "prices": product_prices(actor, product), "vat": vat_label(product)}
    return render(request, "catalog/product.html", context)


def _form_page(request: HttpRequest, actor: Membership, product: Product | None) -> HttpResponse:
    initial: dict[str, Any] = product_initial(product) if product else {"vat_rate": "22", "unit": "piece"}
    if product is None and request.GET.get("category", "").isdigit():
        initial["category"] = int(request.GET["category"])
    form = ProductForm(request.POST or None, actor=actor, product=product, initial=initial)

    def save(data: dict[str, Any]) -> Product:
        if product is None:
            return product_create(actor, values=form.values())
        return product_update(actor, product_id=product.pk, version=data.get("version") or 0, values=form.values())

    outcome = save_form(
        request,
        form,
        save,
        success_url=lambda saved: reverse("catalog:product", args=[saved.pk]),
        success_message=_("The product has been added.") if product is None else _("The changes have been saved."),
    )
    return render_form(request, "catalog/product_form.html", form, outcome, {"product": product})


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def product_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, request.actor, None)  # type: ignore[attr-defined]


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _form_page(request, actor, product_get(actor, pk))


@permission_required("catalog", "delete")
@require_POST
def product_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    product = product_get(actor, pk)
    run_action(
        request,
        lambda: product_archive(actor, product_id=product.pk),
        success_message=_("The product is out of use: it is no longer offered."),
    )
    return HttpResponseRedirect(reverse("catalog:product", args=[product.pk]))


@permission_required("catalog", "change")
@require_POST
def product_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    product = product_get(actor, pk)
    product_restore(actor, product_id=product.pk)
    messages.success(request, _("The product is in use again."))
    return HttpResponseRedirect(reverse("catalog:product", args=[product.pk]))


urls = [
    path("", product_list, name="products"),
    path("products/new/", product_new, name="product_new"),
    path("products/<int:pk>/", product_detail, name="product"),
    path("products/<int:pk>/edit/", product_edit, name="product_edit"),
    path("products/<int:pk>/archive/", product_archive_view, name="product_archive"),
    path("products/<int:pk>/restore/", product_restore_view, name="product_restore"),
]
