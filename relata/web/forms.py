"""Form rendering: one field template and Bootstrap classes on every widget, so forms
look the same everywhere and show their errors next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates

from relata.core.concurrency import StaleVersion


class FormRenderer(DjangoTemplates):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""  # Django puts the class on the group's container too: leave them plain
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class StyledFormMixin:
    """Adds Bootstrap classes to widgets and turns service errors into form errors."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Give every widget its Bootstrap class (again after fields are added later)."""
        for field in self.fields.values():
            css = widget_class(field.widget)
            existing = field.widget.attrs.get("class", "")
            if css and css not in existing.split():
                field.widget.attrs["class"] = f"{existing} {css}".strip()

    def add_service_error(self, error: ValidationError | StaleVersion) -> None:
        """Attach a service's ValidationError to the named fields (unknown names and
        stale-version conflicts become form-wide errors)."""
        if isinstance(error, StaleVersion):
            self.add_error(None, str(error))  # type: ignore[attr-defined]
            return
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error)  # type: ignore[attr-defined]


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass
