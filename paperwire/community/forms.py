"""Forms members fill in: submissions, comments, reports and their profile."""

from __future__ import annotations

from django import forms
from django.conf import settings

from paperwire.text import clean_name

from .models import Member, Report


class SubmitForm(forms.Form):
    paper = forms.CharField(
        label="arXiv id or link",
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "placeholder": "2406.12345 or https://arxiv.org/abs/2406.12345",
                "autocomplete": "off",
                "autofocus": True,
            }
        ),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 4}), strip=False)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["body"].widget.attrs["maxlength"] = settings.COMMENT_MAX_CHARS


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "note"]
        widgets = {
            "reason": forms.RadioSelect,
            "note": forms.TextInput(attrs={"placeholder": "Optional: what is wrong"}),
        }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["display_name", "show_upvotes"]
        labels = {"display_name": "Display name", "show_upvotes": "Show my upvotes on my public profile"}

    def clean_display_name(self) -> str:
        """Return the name without control or bidirectional-override characters, on one line."""
        return clean_name(self.cleaned_data.get("display_name") or "")
