"""Sign-in form, with GOV.UK error wording."""

from __future__ import annotations

from django import forms

INCORRECT = "Your email address or password is incorrect"


class SignInForm(forms.Form):
    email = forms.CharField(
        max_length=254,
        strip=True,
        error_messages={
            "required": "Enter your email address",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        error_messages={
            "required": "Enter your password",
            "max_length": INCORRECT,
        },
    )
    next = forms.CharField(required=False, max_length=2000)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class CodeForm(forms.Form):
    """A two-factor code: 6 digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        max_length=64,
        strip=True,
        error_messages={
            "required": "Enter the code from your authenticator app, or a backup code",
            "max_length": "Enter the 6-digit code from your authenticator app, or a backup code",
        },
    )
