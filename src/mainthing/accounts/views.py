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

from . import services
from .forms import LoginForm, PasswordResetRequestForm, ProfileForm, SignUpForm
from .models import User


@require_http_methods(["GET", "POST"])
@ratelimit.limit_posts_per_ip(ratelimit.SIGNUP_PER_IP)
def signup(request):
    first_account = not User.objects.exists()
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = onboarding.create_account(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to Mainthing. Talking with prospects comes first.")
            return redirect("today")
    return render(request, "accounts/signup.html", {"form": form, "first_account": first_account})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and not User.objects.exists():
            return redirect("accounts:signup")
        if request.method == "POST":
            email = request.POST.get("username", "")
            # Both limits apply: one address can't try many passwords, one IP can't try many users.
            wait = max(
                ratelimit.take(ratelimit.LOGIN_PER_IP, ratelimit.client_ip(request)),
                ratelimit.take(ratelimit.LOGIN_PER_EMAIL, email.strip().lower()),
            )
            if wait:
                return ratelimit.too_many(request, wait)
        return super().dispatch(request, *args, **kwargs)


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
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, "Password changed.")
        return super().form_valid(form)


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
