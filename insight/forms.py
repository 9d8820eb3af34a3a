from django import forms

from partnership.models import Membership

from .models import Nudge


class InsightFilterForm(forms.Form):
    """Which of the partnership's schools a page is about. Choices only: a malformed value
    is a form error, never a 500."""

    phase = forms.ChoiceField(label="Phase", required=False)
    trust = forms.ChoiceField(label="Trust", required=False)
    la = forms.ChoiceField(label="Local authority", required=False)
    status = forms.ChoiceField(
        label="Membership",
        required=False,
        choices=[("", "Active members")]
        + [(s, s.label) for s in Membership.Status if s != Membership.Status.ACTIVE],
    )

    def __init__(self, *args, phases, trusts, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "Any phase")] + [(p, p) for p in phases]
        self.fields["trust"].choices = [("", "Any trust")] + [(str(t.pk), t.name) for t in trusts]
        self.fields["la"].choices = [("", "Any local authority")] + [
            (code, f"{name} ({code})" if name else code) for code, name in authorities
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "phase": data["phase"],
            "trust_id": int(data["trust"]) if data["trust"] else None,
            "la_code": data["la"],
            "status": data["status"] or Membership.Status.ACTIVE,
        }


class MemberListForm(InsightFilterForm):
    wellcheck = forms.ChoiceField(
        label="Well Check this year",
        required=False,
        choices=[
            ("", "Any"),
            ("not_started", "Not started"),
            ("in_progress", "In progress"),
            ("submitted", "Submitted"),
        ],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "School name"),
            ("wellcheck", "Well Check status"),
            ("overall", "Overall score"),
            ("accreditation", "Accreditation status"),
            ("expiry", "Accreditation expiry"),
            ("attended", "Events attended"),
        ],
    )
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "Lowest first (A to Z)"), ("desc", "Highest first (Z to A)")],
    )

    def listing(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "wellcheck": self.cleaned_data["wellcheck"],
            "sort": self.cleaned_data["sort"] or "name",
            "descending": self.cleaned_data["order"] == "desc",
        }


class NudgeForm(forms.Form):
    reason = forms.ChoiceField(
        label="Which schools", choices=Nudge.Reason.choices, widget=forms.RadioSelect
    )


class QuestionInviteForm(forms.Form):
    event = forms.TypedChoiceField(
        label="Event to invite them to (optional)", required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label="A note from you (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = {e.pk: e for e in events}
        self.fields["event"].choices = [("", "No event: tell them support is coming")] + [
            (e.pk, f"{e.title} ({e.starts_at:%d %B %Y})") for e in events
        ]


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        from wellcheck.models import academic_year_label

        self.fields["year"].choices = [(y, academic_year_label(y)) for y in years]
