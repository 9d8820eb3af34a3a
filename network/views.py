"""Member pages of the network. Thin: check the right (network.permissions), validate a
form, call one service, message, redirect. Every mutation is a plain POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnership.models import Membership, Partnership
from partnership.permissions import access_for, can_lead_school
from wellcheck.models import Question
from wellschools.errors import DomainError
from wellschools.uploads import download_name

from . import permissions, selectors, services
from .forms import (
    AskForm,
    AttachmentForm,
    ItemForm,
    LinkForm,
    OptInForm,
    ReplyForm,
    SearchForm,
    StoryForm,
)
from .models import (
    DigestSubscription,
    NetworkItem,
    Phase,
    PracticeAttachment,
    PracticeLink,
    phase_of_school,
)

PAGE_SIZE = 20


def _file_response(field_file, original: str, mime: str):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(original, mime),
        content_type=mime or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _my_school_in(user, partnership: Partnership):
    """The school the person acts for in this partnership (their first school role there)."""
    school_ids = list(access_for(user).school_kinds)
    membership = (
        Membership.objects.filter(
            school_id__in=school_ids,
            partnership=partnership,
            status=Membership.Status.ACTIVE,
        )
        .select_related("school")
        .order_by("school__name")
        .first()
    )
    return membership.school if membership else None


# --- home and the library ------------------------------------------------------------------


@login_required
def home(request):
    partnership_ids = access_for(request.user).partnerships
    partnerships = list(Partnership.objects.filter(pk__in=partnership_ids).order_by("name"))
    if len(partnerships) == 1:
        return redirect("network:library", slug=partnerships[0].slug)
    return render(request, "network/home.html", {"partnerships": partnerships})


def _partnership_context(request, partnership, here: str) -> dict:
    return {
        "partnership": partnership,
        "here": here,
        "my_school": _my_school_in(request.user, partnership),
        "is_coordinator": permissions.can_moderate(request.user, partnership),
        "digest": DigestSubscription.objects.filter(user=request.user).exists(),
    }


@login_required
def library(request, slug: str):
    partnership = permissions.get_partnership_for_member(request.user, slug)
    pillars = selectors.current_pillars()
    form = SearchForm(request.GET or None, pillars=pillars)
    filters = {"pillar_key": "", "question_key": "", "phase": "", "text": ""}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "pillar_key": data["pillar"],
            "question_key": data["question"],
            "phase": data["phase"],
            "text": data["q"],
        }
    stories = selectors.stories_published(partnership=partnership, **filters)
    page = Paginator(stories, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "network/library.html",
        {
            **_partnership_context(request, partnership, "library"),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(filters.values()),
        },
    )


@login_required
def offers(request, slug: str):
    partnership = permissions.get_partnership_for_member(request.user, slug)
    context = _partnership_context(request, partnership, "offers")
    school = context["my_school"]
    growth = selectors.latest_growth_for_school(school) if school else []
    ranked = selectors.offers_for(
        partnership=partnership,
        growth_pillar_keys={q.pillar.key for q in growth},
        phase=phase_of_school(school) if school else "",
    )
    pillar_names = {p.key: p.name for p in selectors.current_pillars()}
    phase_names = dict(Phase.choices)
    rows = [
        (
            offer,
            matches,
            ", ".join(pillar_names.get(k, k) for k in offer.pillar_keys),
            ", ".join(phase_names.get(k, k) for k in offer.phases) or "All phases",
        )
        for offer, matches in ranked
    ]
    return render(
        request,
        "network/offers.html",
        {**context, "rows": rows, "has_growth": bool(growth)},
    )


@login_required
def groups(request, slug: str):
    partnership = permissions.get_partnership_for_member(request.user, slug)
    return render(
        request,
        "network/groups.html",
        {
            **_partnership_context(request, partnership, "groups"),
            "networks": selectors.networks_of(partnership=partnership, user=request.user),
        },
    )


@login_required
@require_POST
def digest(request, slug: str):
    partnership = permissions.get_partnership_for_member(request.user, slug)
    wanted = request.POST.get("wanted") == "1"
    services.digest_set(actor=request.user, wanted=wanted)
    messages.success(
        request,
        "You will get the weekly digest."
        if wanted
        else "You will not get the weekly digest any more.",
    )
    return redirect("network:library", slug=partnership.slug)


@login_required
@require_POST
def digest_preference(request):
    """The same switch on the email preferences page (any partnership of the person)."""
    if not access_for(request.user).partnerships:
        raise Http404
    wanted = request.POST.get("wanted") == "1"
    services.digest_set(actor=request.user, wanted=wanted)
    messages.success(
        request,
        "You will get the weekly digest."
        if wanted
        else "You will not get the weekly digest any more.",
    )
    return redirect("email_preferences")


# --- stories -----------------------------------------------------------------------------------


def _story_form(data=None, **kwargs):
    return StoryForm(data, pillars=selectors.current_pillars(), **kwargs)


def _story_fields(data) -> dict:
    return {
        "title": data["title"],
        "what_we_did": data["what_we_did"],
        "for_whom": data["for_whom"],
        "impact": data["impact"],
        "cost": data["cost"],
        "who_to_ask": data["who_to_ask"],
        "phase": data["phase"],
        "pillars": list(data["pillars"]),
        "questions": list(data["questions"]),
    }


@login_required
def story_new(request, urn: int):
    school = permissions.get_school_in_network_for(
        request.user, urn, right=permissions.can_write_story
    )
    partnership = permissions.school_partnership(school)
    if partnership is None:
        raise Http404("The school is not an active member of a partnership")
    form = _story_form(request.POST or None, initial={"phase": phase_of_school(school)})
    if request.method == "POST" and form.is_valid():
        try:
            story = services.story_create(
                actor=request.user, school=school, **_story_fields(form.cleaned_data)
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Saved as a draft. Submit it when it is ready.")
            return redirect(story)
    return render(
        request,
        "network/story_form.html",
        {"school": school, "partnership": partnership, "form": form, "story": None},
        status=400 if form.errors else 200,
    )


@login_required
def story_edit(request, pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    initial = {
        "title": story.title,
        "what_we_did": story.what_we_did,
        "for_whom": story.for_whom,
        "impact": story.impact,
        "cost": story.cost,
        "who_to_ask": story.who_to_ask,
        "phase": story.phase,
        "pillars": list(story.pillars.values_list("pk", flat=True)),
        "questions": list(story.questions.values_list("pk", flat=True)),
    }
    form = _story_form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.story_update(
                actor=request.user, story=story, **_story_fields(form.cleaned_data)
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(story)
    return render(
        request,
        "network/story_form.html",
        {"school": story.school, "partnership": story.partnership, "form": form, "story": story},
        status=400 if form.errors else 200,
    )


def _story_page(request, story, *, attachment_form=None, link_form=None, status=200):
    user = request.user
    can_edit = permissions.can_edit_story(user, story)
    return render(
        request,
        "network/story_detail.html",
        {
            "story": story,
            "school": story.school,
            "partnership": story.partnership,
            "pillars": list(story.pillars.order_by("order")),
            "questions": list(story.questions.select_related("pillar")),
            "attachments": list(story.attachments.all()),
            "links": list(story.links.all()),
            "history": list(selectors.story_history(story))
            if (
                permissions.is_school_person(user, story.school)
                or permissions.can_moderate_story(user, story)
            )
            else [],
            "can_edit": can_edit and story.is_editable,
            "can_submit": can_edit and story.is_editable,
            "can_withdraw": can_edit and story.is_published,
            "can_moderate": permissions.can_moderate_story(user, story)
            and story.status == story.Status.SUBMITTED,
            "can_ask": story.is_published
            and _my_school_in(user, story.partnership) not in (None, story.school),
            "attachment_form": attachment_form or AttachmentForm(),
            "link_form": link_form or LinkForm(),
        },
        status=status,
    )


@login_required
def story_detail(request, pk: int):
    story = permissions.get_story_for(request.user, pk)
    return _story_page(request, story)


@login_required
@require_POST
def story_submit(request, pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    try:
        services.story_submit(actor=request.user, story=story)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Submitted. A coordinator will publish it or reply.")
    return redirect(story)


@login_required
@require_POST
def story_withdraw(request, pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    try:
        services.story_withdraw(actor=request.user, story=story)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Withdrawn: it is a draft again and no longer in the library.")
    return redirect(story)


@login_required
@require_POST
def attachment_add(request, pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, story=story, upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "The file is added.")
            return redirect(story)
    return _story_page(request, story, attachment_form=form, status=400)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    story = permissions.get_story_for(request.user, pk)
    item = get_object_or_404(PracticeAttachment, pk=attachment_pk, story=story)
    return _file_response(item.file, item.original_name, item.content_type)


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    item = get_object_or_404(PracticeAttachment, pk=attachment_pk, story=story)
    try:
        services.attachment_remove(actor=request.user, attachment=item)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {item.original_name}.")
    return redirect(story)


@login_required
@require_POST
def link_add(request, pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_add(actor=request.user, story=story, **form.cleaned_data)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "The link is added.")
            return redirect(story)
    return _story_page(request, story, link_form=form, status=400)


@login_required
@require_POST
def link_remove(request, pk: int, link_pk: int):
    story = permissions.get_story_for(request.user, pk, right=permissions.can_edit_story)
    link = get_object_or_404(PracticeLink, pk=link_pk, story=story)
    try:
        services.link_remove(actor=request.user, link=link)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The link is removed.")
    return redirect(story)


# --- a school's own network page: stories, opt-ins, messages ---------------------------------


@login_required
def school(request, urn: int):
    school = permissions.get_school_in_network_for(request.user, urn)
    partnership = permissions.school_partnership(school)
    pillars = selectors.current_pillars()
    can_lead = can_lead_school(request.user, school)
    opt_in_form = OptInForm(
        request.POST or None,
        pillars=pillars,
        initial={"pillars": sorted(selectors.opted_in_pillars(school=school))},
    )
    if request.method == "POST":
        if not can_lead:
            raise PermissionDenied
        if opt_in_form.is_valid():
            services.opt_in_set(
                actor=request.user,
                school=school,
                pillar_keys=set(opt_in_form.cleaned_data["pillars"]),
            )
            messages.success(request, "Your choices are saved.")
            return redirect("network:school", urn=school.urn)
    return render(
        request,
        "network/school.html",
        {
            "school": school,
            "partnership": partnership,
            "stories": selectors.stories_of_school(school=school),
            "opt_in_form": opt_in_form,
            "opted": selectors.opted_in_pillars(school=school),
            "pillars": pillars,
            "can_lead": can_lead,
            "messages_list": selectors.messages_of_school(school=school)[:50],
        },
        status=400 if opt_in_form.errors else 200,
    )


@login_required
def ask(request, urn: int, to_urn: int, question_id: int):
    school = permissions.get_school_in_network_for(request.user, urn)
    partnership = permissions.school_partnership(school)
    if partnership is None:
        raise Http404("The school is not an active member of a partnership")
    question = get_object_or_404(Question.objects.select_related("pillar"), pk=question_id)
    target = get_object_or_404(
        partnership.memberships.filter(status=Membership.Status.ACTIVE).select_related("school"),
        school__urn=to_urn,
    ).school
    if target.pk == school.pk or not selectors.is_strong_opted_in_peer(
        school=target, partnership=partnership, question=question
    ):
        raise Http404("That school is not taking questions about this")
    story = None
    if request.GET.get("story", "").isdigit() or request.POST.get("story", "").isdigit():
        story = target.practice_stories.filter(
            pk=int(request.GET.get("story") or request.POST.get("story")), status="published"
        ).first()
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.contact_request_send(
                actor=request.user,
                from_school=school,
                to_school=target,
                question=question,
                story=story,
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request,
                f"Sent to {target.name}. You will get an email when they reply; until then "
                "neither side's address is shared.",
            )
            return redirect(sent)
    return render(
        request,
        "network/ask.html",
        {
            "school": school,
            "target": target,
            "question": question,
            "story": story,
            "form": form,
            "partnership": partnership,
        },
        status=400 if form.errors else 200,
    )


@login_required
def message(request, pk: int):
    contact = permissions.get_message_for(request.user, pk)
    can_reply = permissions.can_reply_message(request.user, contact) and not contact.is_replied
    form = ReplyForm(request.POST or None) if can_reply else None
    if request.method == "POST":
        contact = permissions.get_message_for(request.user, pk, right=permissions.can_reply_message)
        if form is None:
            messages.error(request, "Someone at your school has already replied.")
            return redirect(contact)
        if form.is_valid():
            try:
                services.contact_request_reply(
                    actor=request.user, request=contact, reply=form.cleaned_data["reply"]
                )
            except DomainError as error:
                error.add_to_form(form)
            else:
                messages.success(request, "Your reply is sent, with your email address.")
                return redirect(contact)
    return render(
        request,
        "network/message.html",
        {
            "contact": contact,
            "form": form,
            "i_asked": permissions.is_school_person(request.user, contact.from_school),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- networks ----------------------------------------------------------------------------------


def _group_page(request, network, *, item_form=None, status=200):
    is_member = permissions.is_network_member(request.user, network)
    sees_items = permissions.can_see_network_items(request.user, network)
    return render(
        request,
        "network/group_detail.html",
        {
            "network": network,
            "partnership": network.partnership,
            "is_member": is_member,
            "sees_items": sees_items,
            "meetings": selectors.network_meetings(network, upcoming_only=False),
            "items": selectors.network_items(network) if sees_items else [],
            "member_count": network.memberships.count(),
            "item_form": item_form or ItemForm(),
            "can_manage": permissions.can_manage_network(request.user, network),
        },
        status=status,
    )


@login_required
def group(request, pk: int):
    network = permissions.get_network_for(request.user, pk)
    return _group_page(request, network)


@login_required
@require_POST
def group_join(request, pk: int):
    network = permissions.get_network_for(request.user, pk)
    try:
        services.network_join(actor=request.user, network=network)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You joined {network.name}.")
    return redirect(network)


@login_required
@require_POST
def group_leave(request, pk: int):
    network = permissions.get_network_for(request.user, pk)
    services.network_leave(actor=request.user, network=network)
    messages.success(request, f"You left {network.name}.")
    return redirect(network)


@login_required
@require_POST
def item_add(request, pk: int):
    network = permissions.get_network_for(request.user, pk, right=permissions.can_see_network_items)
    form = ItemForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.item_add(
                actor=request.user,
                network=network,
                title=form.cleaned_data["title"],
                note=form.cleaned_data["note"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Shared with the network's members.")
            return redirect(network)
    return _group_page(request, network, item_form=form, status=400)


@login_required
def item_download(request, pk: int, item_pk: int):
    network = permissions.get_network_for(request.user, pk, right=permissions.can_see_network_items)
    item = get_object_or_404(NetworkItem, pk=item_pk, network=network)
    if not item.file:
        raise Http404("No file")
    return _file_response(item.file, item.original_name, item.content_type)


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    network = permissions.get_network_for(request.user, pk, right=permissions.can_see_network_items)
    item = get_object_or_404(NetworkItem, pk=item_pk, network=network)
    try:
        services.item_remove(actor=request.user, item=item)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed “{item.title}”.")
    return redirect(network)
