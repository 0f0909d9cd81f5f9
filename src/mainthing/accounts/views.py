from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from mainthing import onboarding
from mainthing.activity import services as activity_services
from mainthing.core import ratelimit
from mainthing.core.forms import add_service_errors
from mainthing.core.navigation import safe_next

from . import devices, services, throttle
from .forms import (
    ChoosePasswordForm,
    FirstAccountForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
)
from .models import User


@require_http_methods(["GET", "POST"])
@ratelimit.limit_posts_per_ip(ratelimit.SIGNUP_PER_IP)
def signup(request):
    """The first account of an install is made and signed in at once (there is no one to hide
    and mail may not be set up yet). Every later sign-up answers "check your email" whether or
    not the address has an account: the mail says which (services.request_signup)."""
    if not User.objects.exists():
        return _first_account(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if not ratelimit.take(ratelimit.SIGNUP_MAILS_PER_EMAIL, data["email"]):
                services.request_signup(**data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("accounts:signup-sent")
    return render(request, "accounts/signup.html", {"form": form, "first_account": False})


def _first_account(request):
    form = FirstAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = onboarding.create_account(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _welcome(request, user)
    return render(request, "accounts/signup.html", {"form": form, "first_account": True})


def _welcome(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Welcome to Mainthing. Talking with prospects comes first.")
    response = redirect("today")
    devices.remember(response, user)
    return response


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_finish(request, token):
    """The link from the sign-up mail: whoever holds it owns the address, so this page may say
    that the account exists already."""
    pending = services.read_signup_token(token)
    if pending is None:
        return render(request, "accounts/signup_finish.html", {"state": "bad"}, status=400)
    if User.objects.filter(email__iexact=pending["email"]).exists():
        return render(request, "accounts/signup_finish.html", {"state": "done", **pending})
    form = ChoosePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = onboarding.create_account(password=form.cleaned_data["password"], **pending)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _welcome(request, user)
    return render(
        request, "accounts/signup_finish.html", {"state": "form", "form": form, **pending}
    )


class LogoutView(auth_views.LogoutView):
    """Signs out (POST only) and goes to the sign-in page, or to a `next` on this site."""

    def get_redirect_url(self):
        # The one reader of `next`: a path on this site, else LOGOUT_REDIRECT_URL.
        return safe_next(self.request, "")


class LoginView(auth_views.LoginView):
    """Only failed logins spend rate-limit tokens; a known device has its own bucket (throttle)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    buckets: throttle.Buckets = []

    def get_redirect_url(self):
        # The one reader of `next`: a path on this site, else Today (LOGIN_REDIRECT_URL).
        return safe_next(self.request, "")

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and not User.objects.exists():
            return redirect("accounts:signup")
        if request.method == "POST":
            self.buckets = throttle.login_buckets(request, request.POST.get("username", ""))
            wait = throttle.wait(self.buckets)
            if wait:
                return ratelimit.too_many(
                    request, wait, reason="Too many wrong passwords for this account."
                )
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.failed(self.buckets)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.succeeded(self.buckets)
        devices.remember(response, form.get_user(), self.request)
        return response


@require_http_methods(["GET", "POST"])
@ratelimit.limit_posts_per_ip(ratelimit.RESET_PER_IP)
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not ratelimit.take(ratelimit.RESET_PER_EMAIL, email.lower()):
            services.request_password_reset(email)
        # Same answer whether or not the address has an account.
        return redirect("accounts:password-reset-sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed. Sign in with it now.")
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Wrong current passwords are limited per user, so a left-open session can't be used to
    guess the password."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and request.user.is_authenticated:
            wait = throttle.wait(throttle.password_change_buckets(request.user))
            if wait:
                return ratelimit.too_many(request, wait, reason="Too many wrong current passwords.")
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        if "old_password" in form.errors:
            throttle.failed(throttle.password_change_buckets(self.request.user))
        return super().form_invalid(form)

    def form_valid(self, form):
        messages.success(self.request, "Password changed.")
        response = super().form_valid(form)
        # The old known-device cookie died with the old password; this browser earned a new one.
        devices.remember(response, form.user)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            activity_services.save_profile(user, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
