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
