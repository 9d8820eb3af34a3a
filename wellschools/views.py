from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .context_processors import RECOVERY_CODES_OFFER_KEY
from .documents import document_kind, document_retry, document_subject
from .errors import DomainError
from .models import EmailPreference, GeneratedDocument
from .panels import render_panels
from .preferences import (
    email_preference_for,
    email_preference_update,
    unsubscribe_email_from_token,
)


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(
        request, "wellschools/landing.html", {"panels": render_panels("landing", request, None)}
    )


@require_POST
def session_keepalive(request):
    """ "Stay signed in": any request extends the session (SESSION_SAVE_EVERY_REQUEST); this
    one says whether there still was a session to extend."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True
    return HttpResponse(status=204)


class TotpActivateView(ActivateTOTPView):
    """allauth's TOTP set-up, ending where the person was going (or their home) instead of
    on the account pages; every page then offers the new recovery codes until they are
    seen (base.html)."""

    def get_success_url(self) -> str:
        self.request.session[RECOVERY_CODES_OFFER_KEY] = True
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Two-factor authentication is set up.")
        return response


totp_activate = TotpActivateView.as_view()


class RecoveryCodesView(ViewRecoveryCodesView):
    def get(self, request, *args, **kwargs):
        request.session.pop(RECOVERY_CODES_OFFER_KEY, None)
        return super().get(request, *args, **kwargs)


recovery_codes = RecoveryCodesView.as_view()


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# --- generated documents ----------------------------------------------------------------


def _document_for(request, pk: int):
    """The document and its kind, if the person may see documents about its subject:
    404 for outsiders, 403 for members without the right (the registering app decides)."""
    document = get_object_or_404(GeneratedDocument.objects.select_related("requested_by"), pk=pk)
    try:
        spec = document_kind(document.kind)
    except DomainError:
        raise Http404 from None
    subject = document_subject(document)
    spec.authorize(request.user, subject, document)
    return document, spec, subject


@login_required
def document_detail(request, pk: int):
    """The document's page: "being prepared" (polled by htmx), then a download link. With
    HX-Request it returns only the status fragment."""
    document, spec, subject = _document_for(request, pk)
    context = {
        "document": document,
        "spec": spec,
        "subject": subject,
        "back_url": spec.back_url(subject) if spec.back_url else "",
    }
    if request.htmx:
        return render(request, "wellschools/_document_status.html", context)
    return render(request, "wellschools/document_detail.html", context)


@login_required
def document_download(request, pk: int):
    document, _spec, _subject = _document_for(request, pk)
    if document.status != GeneratedDocument.Status.READY or not document.file:
        return redirect(document)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename or f"{document.kind}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_retry_view(request, pk: int):
    document, _spec, _subject = _document_for(request, pk)
    try:
        document = document_retry(actor=request.user, document=document)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Trying again. This page updates when the document is ready.")
    return redirect(document)


# --- email preferences and unsubscribe ------------------------------------------------


class EmailPreferenceForm(forms.Form):
    reminders = forms.BooleanField(
        required=False,
        label="Send me reminders",
        help_text="Well Check, action plan and event reminders. Sign-in codes, invitations, "
        "booking confirmations and decisions about your school are always sent.",
    )


@login_required
def email_preferences(request):
    email = request.user.email
    # An unticked box sends nothing, so the POST may be empty: bind on the method.
    form = EmailPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders": email_preference_for(email).reminders},
    )
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["reminders"]
        email_preference_update(email=email, reminders=wanted, via=EmailPreference.Via.PAGE)
        messages.success(
            request,
            "You will get reminders." if wanted else "You will no longer get reminders.",
        )
        return redirect("email_preferences")
    return render(request, "wellschools/email_preferences.html", {"form": form, "email": email})


@csrf_exempt  # RFC 8058: mail programs POST here without a form; the signed token is the key
def email_unsubscribe_view(request, token: str):
    """GET shows a confirmation (link scanners must not unsubscribe anyone); POST turns
    reminders off (or back on), also as the RFC 8058 one-click POST of a mail program."""
    try:
        email = unsubscribe_email_from_token(token)
    except DomainError as error:
        return render(
            request, "wellschools/unsubscribe_invalid.html", {"message": error.message}, status=400
        )
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        resubscribe = request.POST.get("action") == "resubscribe"
        via = EmailPreference.Via.ONE_CLICK if one_click else EmailPreference.Via.LINK
        email_preference_update(email=email, reminders=resubscribe, via=via)
        if one_click:
            return HttpResponse("Unsubscribed from reminders.\n", content_type="text/plain")
        return render(
            request,
            "wellschools/unsubscribe_done.html",
            {"email": email, "token": token, "resubscribed": resubscribe},
        )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "wellschools/unsubscribe_confirm.html",
        {"email": email, "token": token, "preference": email_preference_for(email)},
    )
