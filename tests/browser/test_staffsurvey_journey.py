"""The staff survey in a real browser, with axe on every page visited.

1. A member of staff answers with no account, by keyboard alone (Tab, arrow keys, Space,
   Enter), at desktop width and at 375 px: start, one screen per group of statements with
   progress, a reload that keeps the answers, check your answers, send, thank you.
2. The leader's, trust's and coordinator's pages pass axe at both widths.
"""

import pytest
from playwright.sync_api import expect

from staffsurvey.models import Response, ResponseAnswer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDS_FOCUSED_RADIO = (
    "el => el.contains(document.activeElement) && document.activeElement.type === 'radio'"
)
IS_FOCUSED = "el => el === document.activeElement"
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}


def tab_to(page, target, *, holds_focus=IS_FOCUSED, limit=60):
    element = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if element.evaluate(holds_focus):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def press_enter_on(page, target):
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page, fieldset, index):
    """Tab into a radio group and choose option ``index`` with Space and the arrow keys."""
    tab_to(page, fieldset, holds_focus=HOLDS_FOCUSED_RADIO)
    focused = fieldset.evaluate(
        "el => [...el.querySelectorAll('input[type=radio]')].indexOf(document.activeElement)"
    )
    steps = index - focused
    keys = ["Space"] if steps == 0 else ["ArrowDown" if steps > 0 else "ArrowUp"] * abs(steps)
    for key in keys:
        page.keyboard.press(key)
    expect(fieldset.locator("input[type=radio]").nth(index)).to_be_checked()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_staff_answer_by_keyboard_alone(
    page, live_server, settings, school, leader, check_a11y, width
):
    from datetime import timedelta

    from django.utils import timezone

    from staffsurvey.services import survey_create

    settings.SITE_URL = live_server.url
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    today = timezone.localdate()
    survey = survey_create(
        actor=leader,
        school=school,
        title="Staff wellbeing survey, spring",
        opens_on=today,
        closes_on=today + timedelta(days=14),
    )
    areas = list(survey.framework.areas.prefetch_related("items"))
    steps = len(areas) + 2

    page.goto(f"{live_server.url}{survey.public_path()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    expect(page.get_by_role("heading", name="Your answers are anonymous")).to_be_visible()
    check_a11y(page)
    press_enter_on(page, page.get_by_role("button", name="Start"))

    # Step 1: the staff group, and a first try without choosing: a clear error.
    expect(page.locator("#progress-label")).to_have_text(f"Step 1 of {steps}")
    press_enter_on(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("alert")).to_contain_text("Choose your group of staff")
    check_a11y(page)
    choose(page, page.locator("fieldset").first, 1)  # Support staff
    press_enter_on(page, page.get_by_role("button", name="Save and continue"))

    for number, area in enumerate(areas, start=2):
        expect(page.locator("#progress-label")).to_have_text(f"Step {number} of {steps}")
        expect(page.get_by_role("heading", level=1)).to_have_text(area.name)
        fieldsets = page.locator("fieldset.statement")
        expect(fieldsets).to_have_count(len(area.items.all()))
        for index in range(fieldsets.count()):
            choose(page, fieldsets.nth(index), 3 if area.key != "demands" else 1)
        if number == 2:
            check_a11y(page)
            # A reload before saving loses this screen's choices only; after saving, none.
            press_enter_on(page, page.get_by_role("button", name="Save and continue"))
            page.reload()
            page.go_back()
            expect(page.locator("fieldset.statement input[value='2']").first).to_be_checked()
            page.go_forward()
            continue
        press_enter_on(page, page.get_by_role("button", name="Save and continue"))

    expect(page.locator("#progress-label")).to_have_text(f"Step {steps} of {steps}")
    tab_to(page, page.get_by_label("One thing that would help"))
    page.keyboard.type("A quiet room at lunchtime.")
    check_a11y(page)
    press_enter_on(page, page.get_by_role("button", name="Check your answers"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("Support staff")).to_be_visible()
    expect(page.get_by_text("A quiet room at lunchtime.")).to_be_visible()
    check_a11y(page)
    page.reload()  # answers are kept on the server, not in the page
    expect(page.get_by_text("A quiet room at lunchtime.")).to_be_visible()
    press_enter_on(page, page.get_by_role("button", name="Send my answers"))

    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    check_a11y(page)
    response = Response.objects.get(survey=survey)
    assert response.staff_group == "support"
    assert response.comment == "A quiet room at lunchtime."
    values = ResponseAnswer.objects.filter(response=response)
    assert values.count() == sum(len(a.items.all()) for a in areas)
    assert set(values.filter(item__area__key="demands").values_list("value", flat=True)) == {2}
    assert set(values.exclude(item__area__key="demands").values_list("value", flat=True)) == {4}

    # An unknown survey says so plainly.
    page.goto(f"{live_server.url}/s/not-a-survey/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find this survey")
    check_a11y(page)


def _sign_in_as(context, base, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_leader_trust_and_coordinator_pages_pass_axe(
    page,
    context,
    live_server,
    settings,
    partnership,
    trust,
    school,
    leader,
    trust_staff,
    coordinator,
    check_a11y,
    width,
):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from staffsurvey import services
    from staffsurvey.models import Survey, SurveyDraft
    from wellcheck.services import wellcheck_start

    settings.SITE_URL = live_server.url
    base = live_server.url
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    today = timezone.localdate()
    survey = services.survey_create(
        actor=leader,
        school=school,
        title="Autumn survey",
        opens_on=today,
        closes_on=today + timedelta(days=14),
        staff_count=12,
    )
    items = list(survey.framework.areas.values_list("items__pk", flat=True))
    for n, group in enumerate(["teaching"] * 6 + ["support"] * 5):
        _key, draft = services.draft_start(survey=survey)
        SurveyDraft.objects.filter(pk=draft.pk).update(
            staff_group=group,
            answers={str(i): 1 + (n + i) % 5 for i in items},
            comment="More time to plan." if n % 3 == 0 else "",
        )
        draft.refresh_from_db()
        services.response_submit(draft=draft)
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1)
    )
    survey = services.survey_close(actor=None, survey=Survey.objects.get(pk=survey.pk))
    well_check = wellcheck_start(actor=leader, school=school)

    _sign_in_as(context, base, leader)
    urn = school.urn
    for url in [
        reverse("staffsurvey:overview", args=[urn]),
        reverse("staffsurvey:create", args=[urn]),
        reverse("staffsurvey:detail", args=[urn, survey.pk]),
        reverse("staffsurvey:results", args=[urn, survey.pk]),
        reverse("staffsurvey:edit", args=[urn, survey.pk]),
        reverse("wellcheck:pillar", args=[urn, well_check.academic_year, "lead_well"]),
        reverse("wellcheck:plan", args=[urn, well_check.academic_year]),
    ]:
        page.goto(base + url)
        expect(page.locator("h1")).to_be_visible()
        check_a11y(page)
    expect(
        page.get_by_role("heading", name="Suggested priorities from the staff survey")
    ).to_be_visible()

    # A survey running now: the sharing box with its QR code, and the invitation check.
    open_survey = services.survey_create(
        actor=leader, school=school, title="Spring", opens_on=today, closes_on=today
    )
    for url in [
        reverse("staffsurvey:detail", args=[urn, open_survey.pk]),
        reverse("staffsurvey:invite", args=[urn, open_survey.pk]),
        reverse("staffsurvey:close", args=[urn, open_survey.pk]),
    ]:
        page.goto(base + url)
        check_a11y(page)
    page.goto(base + reverse("staffsurvey:invite", args=[urn, open_survey.pk]))
    page.get_by_label("Staff email addresses").fill("a@example.org\nnot-an-address")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("These are not email addresses")
    check_a11y(page)

    context.clear_cookies()
    _sign_in_as(context, base, trust_staff)
    page.goto(base + reverse("staffsurvey:trust", args=[trust.group_uid]))
    expect(page.locator("#trust-scores")).to_contain_text(school.name)
    check_a11y(page)

    context.clear_cookies()
    _sign_in_as(context, base, coordinator)
    page.goto(base + reverse("staffsurvey_partnership:overview", args=[partnership.slug]))
    expect(page.locator("#completion")).to_contain_text("1 of 1 member schools")
    check_a11y(page)
