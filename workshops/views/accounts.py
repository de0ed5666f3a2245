from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("Used to reset your password and to add you as a co-facilitator."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."))
        return email


def signup(request):
    """Creates a facilitator account and signs it in."""
    if request.user.is_authenticated:
        return redirect("workshops:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Roundtable, %(name)s.") % {"name": user.username})
        return redirect("workshops:list")
    return render(request, "registration/signup.html", {"form": form})
