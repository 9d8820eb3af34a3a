from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password

from .models import Membership, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    kind = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Role.Kind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        from wellschools.models import User

        validate_password(password, user=User(email=self.email))
        return password

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class SchoolSearchForm(forms.Form):
    q = forms.CharField(label="School name or URN", max_length=100, required=False)


class JoinForm(forms.Form):
    urn = forms.IntegerField(widget=forms.HiddenInput)
    role_title = forms.CharField(
        label="Your role at the school",
        max_length=100,
        help_text="For example head teacher, deputy head or wellbeing lead.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reason = forms.CharField(
        label="Reason (required when declining; sent to the applicant)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the school a reason when you decline.")
        return cleaned


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="Name, URN or town", required=False)
    phase = forms.ChoiceField(label="Phase", required=False)
    trust = forms.ChoiceField(label="Trust", required=False)
    status = forms.ChoiceField(
        label="Membership",
        required=False,
        choices=[("", "Any status"), *Membership.Status.choices],
    )

    def __init__(self, *args, phases: list[str], trusts: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "Any phase")] + [(p, p) for p in phases]
        self.fields["trust"].choices = [("", "Any trust")] + [(str(t.pk), t.name) for t in trusts]


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Membership.Status.ACTIVE, "Active"),
            (Membership.Status.LAPSED, "Lapsed"),
            (Membership.Status.LEFT, "Left"),
        ],
        label="Membership status",
    )


class GiasUploadForm(forms.Form):
    establishments = forms.FileField(
        label="Establishment extract (edubasealldata….csv)",
        help_text="The CSV from Get Information About Schools. Only schools in the partnership's "
        "local authorities are imported.",
    )
    groups = forms.FileField(label="Groups file (allgroupsdata.csv), optional", required=False)
    links = forms.FileField(label="Links file (alllinksdata.csv), optional", required=False)

    def clean_establishments(self):
        upload = self.cleaned_data["establishments"]
        limit = settings.WELLSCHOOLS_GIAS_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.0f} MB; the limit is {limit} MB."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("groups")) != bool(cleaned.get("links")):
            field = "links" if cleaned.get("groups") else "groups"
            self.add_error(field, "Upload the groups and links files together, or neither.")
        return cleaned


class LogoForm(forms.Form):
    logo = forms.FileField(
        label="Logo image",
        help_text="A PNG or JPEG up to 2 MB, at least 32 pixels on each side. It is shown on "
        "the partnership's accreditation certificates and on the public page that checks them.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_logo(self):
        from .logos import LogoError, logo_normalise

        upload = self.cleaned_data["logo"]
        data = upload.read()
        try:
            logo_normalise(data)  # the same check the service makes, shown next to the field
        except LogoError as error:
            raise forms.ValidationError(error.message) from error
        return data
