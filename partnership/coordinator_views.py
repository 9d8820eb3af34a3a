"""The partnership coordinator's pages. RequireTwoFactorMiddleware keeps them closed
until the coordinator has enrolled TOTP."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellschools.documents import document_request
from wellschools.errors import DomainError
from wellschools.exports import csv_download
from wellschools.panels import render_panels

from . import documents, selectors, services
from .forms import (
    DecisionForm,
    GiasUploadForm,
    LogoForm,
    MemberFilterForm,
    MembershipStatusForm,
    SchoolSearchForm,
)
from .models import Membership
from .permissions import get_partnership_for_coordinator

MEMBERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50


@login_required
def dashboard(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    return render(
        request,
        "partnership/coordinator_dashboard.html",
        {
            "partnership": partnership,
            "overview": selectors.partnership_overview(partnership=partnership),
            "latest_import": selectors.import_runs(partnership=partnership).first(),
            "panels": render_panels("partnership", request, partnership),
        },
    )


def _filtered_members(request, partnership):
    choices = selectors.member_filter_choices(partnership=partnership)
    form = MemberFilterForm(request.GET or None, **choices)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "phase": data["phase"],
            "trust_id": int(data["trust"]) if data["trust"] else None,
            "status": data["status"],
        }
    return form, selectors.member_list(partnership=partnership, **filters)


@login_required
def members(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, memberships = _filtered_members(request, partnership)
    page = Paginator(memberships, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partnership/coordinator_members.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "pdf_allowed": documents.member_list_pdf_allowed(partnership=partnership),
            "pdf_max": documents.MEMBER_LIST_PDF_MAX,
        },
    )


@login_required
def members_csv(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    _form, memberships = _filtered_members(request, partnership)
    filename = f"{partnership.slug}-members-{timezone.localdate():%Y-%m-%d}.csv"
    response, writer = csv_download(filename)
    writer.writerow(
        [
            "URN",
            "School",
            "Phase",
            "Type",
            "Town",
            "Postcode",
            "Pupils",
            "Trust",
            "Membership",
            "Joined on",
            "Ended on",
        ]
    )
    for m in memberships.iterator(chunk_size=500):
        s = m.school
        writer.writerow(
            (
                s.urn,
                s.name,
                s.phase,
                s.establishment_type,
                s.town,
                s.postcode,
                s.pupils,
                s.trust.name if s.trust else "",
                m.get_status_display(),
                m.joined_on.strftime("%d/%m/%Y") if m.joined_on else "",
                m.ended_on.strftime("%d/%m/%Y") if m.ended_on else "",
            )
        )
    return response


@login_required
@require_POST
def members_pdf(request, slug: str):
    """Ask a worker to prepare the member list as a PDF; its page links to the download."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    if not documents.member_list_pdf_allowed(partnership=partnership):
        messages.error(
            request,
            f"The PDF is for member lists of up to {documents.MEMBER_LIST_PDF_MAX} schools. "
            "Download this list as CSV instead.",
        )
        return redirect("partnership:members", slug=partnership.slug)
    document = document_request(actor=request.user, kind="member_list", subject=partnership)
    return redirect(document)


@login_required
def member_add(request, slug: str):
    """Add a school from the imported list straight into membership."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    search_form = SchoolSearchForm(request.GET or None)
    results = []
    if search_form.is_valid() and search_form.cleaned_data["q"]:
        results = selectors.schools_addable(
            partnership=partnership, query=search_form.cleaned_data["q"]
        )
    if request.method == "POST":
        urn = request.POST.get("urn", "")
        school = (
            selectors.school_in_area(partnership=partnership, urn=int(urn))
            if urn.isascii() and urn.isdigit()
            else None
        )
        if school is None:
            messages.error(request, "Choose a school from the search results.")
        else:
            try:
                services.membership_add(actor=request.user, partnership=partnership, school=school)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, f"{school.name} is now a member. Invite its leader from this page."
                )
                return redirect(school.get_absolute_url())
    return render(
        request,
        "partnership/coordinator_member_add.html",
        {
            "partnership": partnership,
            "search_form": search_form,
            "results": results,
            "searched": bool(request.GET.get("q")),
        },
    )


@login_required
@require_POST
def member_status(request, slug: str, pk: int):
    partnership = get_partnership_for_coordinator(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("school", "partnership"), pk=pk, partnership=partnership
    )
    form = MembershipStatusForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            services.membership_set_status(
                actor=request.user, membership=membership, status=form.cleaned_data["status"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{membership.school.name}: membership is now {form.cleaned_data['status']}.",
            )
    else:
        messages.error(request, "Choose active, lapsed or left.")
    return redirect(membership.school.get_absolute_url())


def _applications_page(request, partnership, forms=None, status=200):
    pending = list(selectors.pending_applications(partnership=partnership))
    forms = forms or {}
    rows = [(m, forms.get(m.pk) or DecisionForm(prefix=f"a{m.pk}")) for m in pending]
    return render(
        request,
        "partnership/coordinator_applications.html",
        {"partnership": partnership, "rows": rows},
        status=status,
    )


@login_required
def applications(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    return _applications_page(request, partnership)


@login_required
@require_POST
def application_decide(request, slug: str, pk: int):
    partnership = get_partnership_for_coordinator(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("school"), pk=pk, partnership=partnership
    )
    form = DecisionForm(request.POST, prefix=f"a{membership.pk}")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.membership_decide(
                actor=request.user,
                membership=membership,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            if error.field:
                form.add_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                return redirect("partnership:applications", slug=partnership.slug)
        else:
            verb = "approved" if approve else "declined"
            messages.success(
                request, f"{membership.school.name}: application {verb}. The applicant was emailed."
            )
            return redirect("partnership:applications", slug=partnership.slug)
    return _applications_page(request, partnership, forms={membership.pk: form}, status=400)


@login_required
def gias_upload(request, slug: str):
    from .gias import GiasImportError, gias_import

    partnership = get_partnership_for_coordinator(request.user, slug)
    form = GiasUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = gias_import(
                establishments=data["establishments"],
                groups=data.get("groups"),
                links=data.get("links"),
                actor=request.user,
                filename=data["establishments"].name,
                partnership=partnership,
            )
        except GiasImportError as error:
            form.add_error("establishments", error.message)
        else:
            messages.success(request, f"Imported {run.filename}: {run.summary}.")
            return redirect("partnership:import", slug=partnership.slug)
    return render(
        request,
        "partnership/coordinator_import.html",
        {
            "partnership": partnership,
            "form": form,
            "runs": selectors.import_runs(partnership=partnership)[:10],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def audit(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    page = Paginator(selectors.audit_log(partnership=partnership), AUDIT_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "partnership/coordinator_audit.html", {"partnership": partnership, "page": page}
    )


@login_required
def logo(request, slug: str):
    """The partnership's logo on certificates and the /verify/ page: upload or remove."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    form = LogoForm()
    if request.method == "POST":
        if "remove" in request.POST:
            services.partnership_logo_remove(actor=request.user, partnership=partnership)
            messages.success(request, "The logo is removed. Certificates show the name only.")
            return redirect("partnership:logo", slug=slug)
        form = LogoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.partnership_logo_set(
                    actor=request.user, partnership=partnership, data=form.cleaned_data["logo"]
                )
            except DomainError as error:
                form.add_error("logo", error.message)
            else:
                messages.success(request, "The logo is saved. New certificates will show it.")
                return redirect("partnership:logo", slug=slug)
    return render(
        request,
        "partnership/coordinator_logo.html",
        {
            "partnership": partnership,
            "form": form,
            "logo": selectors.partnership_logo(partnership=partnership),
        },
    )
