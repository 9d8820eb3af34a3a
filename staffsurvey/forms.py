from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .anonymity import platform_threshold
from .models import StaffGroup, Survey

SCALE_ERROR = "Choose one of the five answers."


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label="Title staff will see", max_length=120)
    opens_on = forms.DateField(
        label="Opens on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 3 March 2027."},
    )
    closes_on = forms.DateField(
        label="Closes on",
        help_text="Two or three weeks gives everyone a chance to answer.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 17 March 2027."},
    )
    staff_count = forms.IntegerField(
        label="Number of staff you will ask (optional)",
        required=False,
        min_value=1,
        max_value=5000,
        help_text="Used only to work out the response rate.",
        error_messages={"invalid": "Enter a whole number, for example 48."},
    )
    threshold = forms.IntegerField(
        label="Fewest responses before any result is shown",
        min_value=5,
        max_value=500,
        help_text="At least five. You can raise it later, never lower it.",
        error_messages={"invalid": "Enter a whole number of 5 or more."},
    )
    withhold_comments = forms.BooleanField(
        label="Keep written answers within the school",
        required=False,
        help_text="Trust staff and partnership coordinators will then see figures only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].min_value = platform_threshold()
        self.fields["threshold"].initial = platform_threshold()

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        return data


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "staff_count", "threshold", "withhold_comments"]
        labels = {
            "title": "Title staff will see",
            "staff_count": "Number of staff you asked (optional)",
            "threshold": "Fewest responses before any result is shown",
        }
        help_texts = {"threshold": "You can raise it, never lower it."}
        error_messages = {
            "staff_count": {"invalid": "Enter a whole number, for example 48."},
            "threshold": {"invalid": "Enter a whole number."},
        }

    def clean_threshold(self):
        value = self.cleaned_data["threshold"]
        current = self.instance.threshold if self.instance.pk else platform_threshold()
        if value < current:
            raise ValidationError(f"The threshold can only go up: {current} or more responses.")
        return value


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Staff email addresses",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "One per line, or separated by commas. Each person gets their own link that "
            "works once. The addresses are used to send the email and are not kept with "
            "any answers."
        ),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_emails(self):
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        emails, wrong = [], []
        for line in raw.splitlines():
            value = line.strip().strip("<>").lower()
            if not value:
                continue
            try:
                validate_email(value)
            except ValidationError:
                wrong.append(value)
            else:
                emails.append(value)
        if wrong:
            raise ValidationError(
                "These are not email addresses: "
                + ", ".join(wrong[:5])
                + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
            )
        if not emails:
            raise ValidationError("Enter at least one email address.")
        if len(emails) > 500:
            raise ValidationError("Send to 500 addresses at most at once.")
        return list(dict.fromkeys(emails))


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that nobody can answer after the survey closes",
        error_messages={"required": "Tick the box to confirm you want to close the survey."},
    )


# --- answering --------------------------------------------------------------------------


class StaffGroupForm(forms.Form):
    staff_group = forms.ChoiceField(
        label="Which group of staff are you in?",
        choices=StaffGroup.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Results by group are shown only when each group shown has enough people to "
            "keep everyone anonymous."
        ),
        error_messages={
            "required": "Choose your group of staff, or “Prefer not to say”.",
            "invalid_choice": "Choose one of the groups listed.",
        },
    )


class AreaForm(forms.Form):
    """One radio group per statement of an area, on the five-point scale."""

    def __init__(self, *args, items, scale, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(point), label) for point, label in enumerate(scale, start=1)]
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose an answer for this statement.",
                    "invalid_choice": SCALE_ERROR,
                },
            )
        self.items = items

    def answers(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class CommentForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Keep it to 2,000 characters or fewer."},
    )

    def __init__(self, *args, question: str, help_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = f"{question} (optional)"
        self.fields["comment"].help_text = help_text
