"""Forms validate and shape input, nothing more. Each lists its fields explicitly: no form
here has a status, a reviewer (except the coordinator's assignment form) or a decision
field that a school could post."""

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from wellschools.widgets import IsoDateInput

from .models import Application, PillarJudgement
from .uploads import ACCEPTED_LABEL, MAX_UPLOAD_LABEL


class PillarForm(forms.Form):
    """The pillar page: the statement, the reply to the reviewer (when asked) and one new
    evidence item. A refused file keeps everything else that was typed."""

    statement = forms.CharField(
        label="Statement of the school's practice",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the school does in this pillar, who it reaches and what difference "
        "it makes. Needed before you submit.",
    )
    reply = forms.CharField(
        label="Your reply to the reviewer",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you changed or added, or where the reviewer can find it.",
    )
    title = forms.CharField(
        label="What this evidence shows",
        required=False,
        max_length=200,
        help_text="For example “PE curriculum map, Years 1–6”.",
    )
    dated = forms.DateField(
        label="Date of the evidence",
        required=False,
        widget=IsoDateInput,
        help_text="When the document was written or the activity happened. Items older than "
        "12 months are flagged.",
    )
    file = forms.FileField(
        label="File",
        required=False,
        help_text=f"{ACCEPTED_LABEL}; at most {MAX_UPLOAD_LABEL}.",
    )
    url = forms.URLField(
        label="Or a link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A web page that shows the evidence.",
    )
    note = forms.CharField(
        label="Or where the document is",
        required=False,
        max_length=500,
        help_text="For example “Wellbeing policy, staff shared drive > Policies, 2025”.",
    )

    EVIDENCE_FIELDS = ("title", "dated", "file", "url", "note")

    def __init__(self, *args, with_reply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_reply:
            del self.fields["reply"]

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("file", "url", "note") if cleaned.get(name)]
        started = given or cleaned.get("title") or cleaned.get("dated")
        if not started or self.errors.keys() & {"file", "url", "note", "dated", "title"}:
            return cleaned
        if len(given) > 1:
            self.add_error(
                given[-1], "Give one of a file, a link or a note per item; add the others next."
            )
        if not given:
            self.add_error("file", "Choose a file, or give a link or a note saying where it is.")
        if not cleaned.get("title"):
            self.add_error("title", "Say what this evidence shows.")
        if not cleaned.get("dated"):
            self.add_error("dated", "Give the date of the evidence.")
        elif cleaned["dated"] > timezone.localdate():
            self.add_error("dated", "The date of the evidence cannot be in the future.")
        return cleaned

    def evidence(self) -> dict | None:
        data = self.cleaned_data
        if not any(data.get(name) for name in ("file", "url", "note")):
            return None
        return {
            "title": data["title"],
            "dated": data["dated"],
            "upload": data.get("file"),
            "url": data.get("url") or "",
            "note": data.get("note") or "",
        }


class EvidenceEditForm(forms.Form):
    """Correct an evidence item: what it shows, its date and, for a link or a note, where it
    is. A file is replaced by removing the item and adding the new file."""

    title = forms.CharField(label="What this evidence shows", max_length=200)
    dated = forms.DateField(
        label="Date of the evidence",
        widget=IsoDateInput,
        help_text="When the document was written or the activity happened. Items older than "
        "12 months are flagged.",
    )
    url = forms.URLField(
        label="Link",
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    note = forms.CharField(label="Where the document is", max_length=500)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != "link":
            del self.fields["url"]
        if kind != "note":
            del self.fields["note"]

    def clean_dated(self):
        dated = self.cleaned_data["dated"]
        if dated > timezone.localdate():
            raise forms.ValidationError("The date of the evidence cannot be in the future.")
        return dated


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="School name, URN or town", required=False, max_length=100)
    status = forms.ChoiceField(label="State", required=False)
    reviewer = forms.ChoiceField(label="Reviewer", required=False)
    overdue = forms.BooleanField(label="Only past the 20-working-day target", required=False)

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        S = Application.Status
        self.fields["status"].choices = [
            ("", "Waiting for the partnership or the school"),
            *[
                (s.value, s.label)
                for s in (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED)
            ],
            ("decided", "Decided or withdrawn"),
        ]
        self.fields["reviewer"].choices = [
            ("", "Anyone"),
            ("none", "Nobody yet"),
            ("me", "Me"),
            *[(str(p.pk), p.display_name) for p in reviewers],
        ]


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        description = getattr(person, "reviewer_description", "")
        return f"{person.display_name} — {description}" if description else person.display_name


class AssignReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(
        queryset=None,
        label="Reviewer",
        empty_label="Choose a reviewer",
        help_text="A coordinator, or a leader or staff member of a currently accredited school. "
        "Never someone from the applicant school or its trust.",
    )

    def __init__(self, *args, candidates: list, people, **kwargs):
        """``candidates`` are offered; ``people`` (the partnership's people) are accepted, so
        that choosing someone who may not review gets the service's reason, not "invalid"."""
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        field.queryset = people
        # Show the candidates in their order, with their descriptions.
        field.choices = [("", field.empty_label)] + [
            (p.pk, field.label_from_instance(p)) for p in candidates
        ]


def _judgement_choices():
    return [("", "Not judged yet"), *PillarJudgement.Judgement.choices]


class ReviewForm(forms.Form):
    """Per pillar a judgement and a comment to the school, and an overall recommendation.
    Field names are built from the application's pillars (``judgement_<pillar id>``)."""

    recommendation = forms.ChoiceField(
        label="Overall recommendation",
        required=False,
        choices=[("", "Not decided yet"), *Application.Recommendation.choices],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    recommendation_comment = forms.CharField(
        label="Note to the coordinators (not shown to the school)",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillars = list(pillars)
        for pillar in self.pillars:
            self.fields[f"judgement_{pillar.pk}"] = forms.ChoiceField(
                label=f"{pillar.name}: judgement",
                required=False,
                choices=_judgement_choices(),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"comment_{pillar.pk}"] = forms.CharField(
                label=f"{pillar.name}: comment to the school",
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def pillar_fields(self):
        return [
            (pillar, self[f"judgement_{pillar.pk}"], self[f"comment_{pillar.pk}"])
            for pillar in self.pillars
        ]

    def pillar_reviews(self) -> dict:
        from .services.review import PillarReview

        return {
            pillar.pk: PillarReview(
                self.cleaned_data.get(f"judgement_{pillar.pk}") or "",
                self.cleaned_data.get(f"comment_{pillar.pk}") or "",
            )
            for pillar in self.pillars
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("award", "Award accreditation"), ("not_award", "Do not award")],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label="Feedback to the school",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label="Verification code", max_length=20)
