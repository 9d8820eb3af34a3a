"""The school's accreditation pages, the evidence download and the public pages (verify a
certificate, the list of accredited schools). Thin: check, validate, call a service,
say what happened, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnership.permissions import get_school_for
from partnership.selectors import partnership_logo
from wellschools.documents import document_latest, document_request
from wellschools.errors import DomainError
from wellschools.models import GeneratedDocument
from wellschools.site import require_public_site_url

from . import selectors, services
from .forms import EvidenceEditForm, PillarForm, VerifyForm, WithdrawForm
from .models import Application, Award, Evidence, verification_code_normalise
from .permissions import (
    can_apply_for_accreditation,
    can_review_accreditation,
    can_see_accreditation_application,
    get_application_for,
)
from .uploads import download_name

S = Application.Status


def _application_for(request, urn: int, pk: int, *, leader: bool = False):
    application = get_application_for(request.user, urn, pk, leader=leader)
    return application.school, application


def _school_view_of(application: Application, sections):
    """The school sees the reviewer's judgements once they are sent (changes requested) or
    decided, never a review in progress."""
    if application.status == S.IN_REVIEW:
        for section in sections:
            section.judgement = None
    return sections


# --- the school's pages ----------------------------------------------------------------------


@login_required
def overview(request, urn: int):
    school = get_school_for(request.user, urn)
    can_apply = can_apply_for_accreditation(request.user, school)
    applications = list(selectors.applications_of_school(school=school))
    visible = {
        a.pk
        for a in applications
        if can_see_accreditation_application(
            request.user, school=school, partnership=a.partnership, reviewer_id=a.reviewer_id
        )
    }
    return render(
        request,
        "accreditation/overview.html",
        {
            "school": school,
            "eligibility": selectors.eligibility(school=school),
            "applications": applications,
            "visible": visible,
            "award": selectors.latest_award(school=school),
            "can_apply": can_apply,
        },
    )


@login_required
@require_POST
def start(request, urn: int):
    school = get_school_for(request.user, urn, right=can_apply_for_accreditation)
    try:
        application = services.application_start(actor=request.user, school=school)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accreditation:overview", urn=urn)
    messages.success(
        request,
        "Your application is started. Write a statement and add evidence for each pillar, "
        "then submit it.",
    )
    return redirect(application)


@login_required
def application_detail(request, urn: int, pk: int):
    school, application = _application_for(request, urn, pk)
    sections = _school_view_of(application, selectors.pillar_sections(application))
    can_edit = can_apply_for_accreditation(request.user, school)
    return render(
        request,
        "accreditation/application.html",
        {
            "school": school,
            "application": application,
            "sections": sections,
            "history": selectors.application_history(application),
            "can_edit": can_edit and application.is_editable,
            "can_lead": can_edit,
            "gaps": selectors.submission_gaps(application) if application.is_editable else [],
            "replies_missing": selectors.replies_missing(application)
            if application.status == S.CHANGES_REQUESTED
            else [],
            "withdraw_form": WithdrawForm(),
            "award": getattr(application, "award", None)
            if application.status == S.AWARDED
            else None,
            "can_review": can_review_accreditation(
                request.user,
                partnership=application.partnership,
                reviewer_id=application.reviewer_id,
            ),
            "days_waiting": selectors.days_waiting(application),
        },
    )


def _pillar_context(request, school, application, pillar, form):
    sections = _school_view_of(application, selectors.pillar_sections(application))
    section = next(s for s in sections if s.pillar.pk == pillar.pk)
    index = [s.pillar.pk for s in sections].index(pillar.pk)
    can_edit = can_apply_for_accreditation(request.user, school) and application.is_editable
    return {
        "school": school,
        "application": application,
        "section": section,
        "sections": sections,
        "pillar": pillar,
        "form": form,
        "can_edit": can_edit,
        "next_section": sections[index + 1] if index + 1 < len(sections) else None,
        "reusable": selectors.reusable_evidence(application=application, pillar=pillar)
        if can_edit
        else [],
    }


@login_required
def pillar(request, urn: int, pk: int, key: str):
    school, application = _application_for(request, urn, pk)
    pillar = get_object_or_404(application.framework.pillars.all(), key=key)
    with_reply = application.status == S.CHANGES_REQUESTED
    if request.method == "POST":
        _application_for(request, urn, pk, leader=True)
        form = PillarForm(request.POST, request.FILES, with_reply=with_reply)
        if form.is_valid():
            try:
                item = services.pillar_save(
                    actor=request.user,
                    application=application,
                    pillar=pillar,
                    statement=form.cleaned_data["statement"],
                    reply=form.cleaned_data.get("reply") if with_reply else None,
                    evidence=form.evidence(),
                )
            except DomainError as error:
                error.add_to_form(form)
            else:
                saved = f"{pillar.name} saved"
                if item is not None:
                    saved += f", with the new evidence “{item.title}”"
                messages.success(request, saved + ".")
                next_key = request.POST.get("next_pillar", "")
                if next_key and application.framework.pillars.filter(key=next_key).exists():
                    return redirect(
                        "accreditation:pillar", urn=urn, pk=application.pk, key=next_key
                    )
                if "to_application" in request.POST:
                    return redirect(application)
                return redirect("accreditation:pillar", urn=urn, pk=application.pk, key=key)
        return render(
            request,
            "accreditation/pillar.html",
            _pillar_context(request, school, application, pillar, form),
            status=400,
        )
    sections = selectors.pillar_sections(application)
    section = next(s for s in sections if s.pillar.pk == pillar.pk)
    initial = {"statement": section.statement.text if section.statement else ""}
    if with_reply and section.judgement:
        initial["reply"] = section.judgement.reply
    form = PillarForm(initial=initial, with_reply=with_reply)
    return render(
        request,
        "accreditation/pillar.html",
        _pillar_context(request, school, application, pillar, form),
    )


@login_required
def evidence_edit(request, urn: int, pk: int, evidence_pk: int):
    school, application = _application_for(request, urn, pk, leader=True)
    item = get_object_or_404(
        Evidence.objects.select_related("pillar", "application__school"),
        pk=evidence_pk,
        application=application,
    )
    back = reverse("accreditation:pillar", args=[urn, pk, item.pillar.key])
    form = EvidenceEditForm(
        request.POST or None,
        kind=item.kind,
        initial={"title": item.title, "dated": item.dated, "url": item.url, "note": item.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(
                actor=request.user,
                evidence=item,
                title=form.cleaned_data["title"],
                dated=form.cleaned_data["dated"],
                url=form.cleaned_data.get("url", ""),
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Saved the changes to “{form.cleaned_data['title']}”.")
            return redirect(back)
    return render(
        request,
        "accreditation/evidence_edit.html",
        {
            "school": school,
            "application": application,
            "item": item,
            "form": form,
            "back": back,
            "editable": application.is_editable,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def evidence_remove(request, urn: int, pk: int, evidence_pk: int):
    school, application = _application_for(request, urn, pk, leader=True)
    item = get_object_or_404(
        Evidence.objects.select_related("pillar", "application__school"),
        pk=evidence_pk,
        application=application,
    )
    try:
        services.evidence_remove(actor=request.user, evidence=item)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed “{item.title}”.")
    return redirect("accreditation:pillar", urn=urn, pk=pk, key=item.pillar.key)


@login_required
@require_POST
def evidence_reuse(request, urn: int, pk: int, evidence_pk: int):
    school, application = _application_for(request, urn, pk, leader=True)
    source = get_object_or_404(
        Evidence.objects.select_related("pillar", "application"),
        pk=evidence_pk,
        application__school=school,
    )
    try:
        copy = services.evidence_reuse(actor=request.user, application=application, source=source)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accreditation:pillar", urn=urn, pk=pk, key=source.pillar.key)
    messages.success(request, f"Added “{copy.title}” from the earlier application.")
    return redirect("accreditation:pillar", urn=urn, pk=pk, key=copy.pillar.key)


@login_required
def evidence_download(request, urn: int, pk: int, evidence_pk: int):
    """The only way to an evidence file: rights checked, sent as an attachment with the
    type read from its content, never cached by a shared cache."""
    _school, application = _application_for(request, urn, pk)
    item = get_object_or_404(
        Evidence, pk=evidence_pk, application=application, kind=Evidence.Kind.FILE
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(item.original_name, item.content_type),
        content_type=item.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _state_change(request, urn: int, pk: int, change, done: str):
    _school, application = _application_for(request, urn, pk, leader=True)
    try:
        change(application)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(application)


@login_required
@require_POST
def submit(request, urn: int, pk: int):
    return _state_change(
        request,
        urn,
        pk,
        lambda a: services.application_submit(actor=request.user, application=a),
        "Submitted. The partnership's coordinators have been told; you will hear from them "
        "by email.",
    )


@login_required
@require_POST
def resubmit(request, urn: int, pk: int):
    return _state_change(
        request,
        urn,
        pk,
        lambda a: services.application_resubmit(actor=request.user, application=a),
        "Resubmitted. Your reviewer and the coordinators have been told.",
    )


@login_required
@require_POST
def withdraw(request, urn: int, pk: int):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _state_change(
        request,
        urn,
        pk,
        lambda a: services.application_withdraw(actor=request.user, application=a, reason=reason),
        "The application is withdrawn. You can start a new one at any time.",
    )


@login_required
@require_POST
def certificate(request, urn: int, award_pk: int):
    """The award's certificate: the latest rendered copy, or a new render by a worker."""
    school = get_school_for(request.user, urn)
    award = get_object_or_404(Award, pk=award_pk, school=school)
    try:
        require_public_site_url(purpose="The certificate")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accreditation:overview", urn=school.urn)
    latest = document_latest(kind="accreditation_certificate", subject=award)
    if latest is not None and (
        latest.status == GeneratedDocument.Status.PENDING
        or (latest.status == GeneratedDocument.Status.READY and latest.file)
    ):
        return redirect(latest)
    return redirect(
        document_request(actor=request.user, kind="accreditation_certificate", subject=award)
    )


# --- public pages ----------------------------------------------------------------------------


def verify_lookup(request):
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "accreditation:verify", code=verification_code_normalise(form.cleaned_data["code"])
        )
    return render(request, "accreditation/verify_lookup.html", {"form": form})


def verify(request, code: str):
    """What a certificate's QR code opens: the school's name, the award's status and its
    validity — and nothing else."""
    award = selectors.award_by_code(verification_code_normalise(code))
    if award is None:
        return render(
            request, "accreditation/verify.html", {"award": None, "code": code[:20]}, status=404
        )
    return render(
        request,
        "accreditation/verify.html",
        {
            "award": award,
            "code": award.code,
            "logo": partnership_logo(partnership=award.partnership),
            "checked_on": timezone.localdate(),
        },
    )


def accredited(request):
    return render(
        request,
        "accreditation/accredited.html",
        {"groups": selectors.accredited_schools_public()},
    )
