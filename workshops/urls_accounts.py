"""Facilitator accounts: Django's auth views with Roundtable's templates, plus sign-up."""

from django.contrib.auth import views as auth_views
from django.urls import path

from workshops import throttle
from workshops.views import accounts

password_reset = throttle.password_resets_per_address.on_post(
    throttle.password_resets.on_post(auth_views.PasswordResetView.as_view())
)

urlpatterns = [
    path("signup/", throttle.signups.on_post(accounts.signup), name="signup"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
