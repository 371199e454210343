"""Log-in, log-out, password change and reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.selectors.members import users_for_password_reset
from relata.core.services.auth import (
    LoginRefused,
    auth_attempt_login,
    auth_password_changed_event,
    auth_password_reset_requested_event,
)
from relata.web.forms import StyledForm, StyledFormMixin


class LoginForm(StyledForm):
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _redirect_target(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and getattr(request, "actor", None) is not None and request.method == "GET":
        return HttpResponseRedirect(_redirect_target(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = auth_attempt_login(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    ip=request.client_ip,  # type: ignore[attr-defined]
                )
            except LoginRefused as refused:
                form.add_error(None, forms.ValidationError(str(refused), code=refused.code))
                status = 429 if refused.code == "locked" else 400
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                response = HttpResponseRedirect(_redirect_target(request))
                if user.language:
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600, samesite="Lax"
                    )
                return response
        else:
            status = 400
    return render(request, "core/auth/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # the user_logged_out signal records the event
    messages.info(request, _("You have logged out."))
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    def get_users(self, email: str) -> Any:
        """Active users with this e-mail, including invited ones who have not set a
        password yet (Django skips those; for us the reset is how they set it)."""
        return users_for_password_reset(email)


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm
    template_name = "core/auth/password_change.html"
    success_url = reverse_lazy("core:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        auth_password_changed_event(form.user, by_reset=False)
        messages.success(self.request, _("Your password has been changed. Other sessions have been logged out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StyledPasswordResetForm
    template_name = "core/auth/password_reset.html"
    email_template_name = "core/auth/password_reset_email.txt"
    subject_template_name = "core/auth/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        auth_password_reset_requested_event(form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = StyledSetPasswordForm
    template_name = "core/auth/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        auth_password_changed_event(form.user, by_reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/auth/password_reset_complete.html"


def no_access(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and getattr(request, "actor", None) is None:
        logout(request)
    return render(request, "core/no_access.html", status=403)
