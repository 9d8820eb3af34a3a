"""A whole Well Check in a real browser, by keyboard alone, with axe on every page.

A school leader signs in, starts this year's Well Check, answers the four pillars (arrow
keys in each radio group, the htmx autosave confirming the answers), fills in the data
questions, submits, reads the results and turns a growth area into an action.

No mouse and no `fill()`: the only programmatic move is the first focus on the login
page's email field; from then on it is Tab, Shift+Tab, arrow keys, Space, Enter and typing.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from browser.helpers import PASSWORD
from wellcheck.models import Action, Answer, DataAnswer, Question, WellCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The rating chosen for each question, by pillar: an index into the radio group, whose
# options follow Rating.choices (0 Not started, 1 Limited, 2 Good, 3 Strong). Varied, so
# every pillar has strengths and growth areas.
RATINGS = [
    [3, 2, 1, 0, 3, 2, 2],
    [2, 2, 3, 1, 2, 3, 2],
    [1, 0, 1, 2, 2, 1, 3],
    [3, 3, 2, 2, 3, 2, 1],
]
RATING_VALUES = ["not_started", "limited", "good", "strong"]
DATA_VALUES = ["120", "64.5", "48", "4.2", "15"]
SUCCESS_MEASURE = "Three in four pupils name a trusted adult in the summer survey."


# --- keyboard helpers -----------------------------------------------------------------------

IS_FOCUSED = "el => el === document.activeElement"
HOLDS_FOCUSED_RADIO = (
    "el => el.contains(document.activeElement) && document.activeElement.type === 'radio'"
)


def settle(page):
    """Wait until no htmx request is in flight (htmx marks the requesting element).

    A person is slower than Playwright; without this, one question's autosave could still be
    running when the next begins. PostgreSQL takes that in its stride, but the live server
    shares one in-memory SQLite connection between its threads and then fails with
    "database table is locked" (every request also saves the session)."""
    idle = "() => !document.querySelector('.htmx-request')"
    if not page.evaluate(idle):
        page.wait_for_function(idle, polling=20)


def tab_to(page, target, *, holds_focus=IS_FOCUSED, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until `target` has the focus; fail after `limit` presses.
    Leaving a changed field fires its autosave on the way: let it finish."""
    key = "Shift+Tab" if backwards else "Tab"
    element = target.element_handle()
    for _ in range(limit):
        page.keyboard.press(key)
        if element.evaluate(holds_focus):
            settle(page)
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def activate(page, target):
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_rating(page, fieldset, index, *, entered=False):
    """Tab into the question's radio group (unless `entered` already) and choose with the
    keyboard: Space checks the focused option, the arrow keys move the choice. Which option
    has the focus while none is checked is the browser's business (Chromium returns to the
    one focused last), so count the steps from it. Each change fires `change`, which the
    fieldset's htmx autosave posts."""
    if not entered:
        tab_to(page, fieldset, holds_focus=HOLDS_FOCUSED_RADIO)
    focused = fieldset.evaluate(
        "el => [...el.querySelectorAll('input[type=radio]')].indexOf(document.activeElement)"
    )
    steps = index - focused
    for key in ["Space"] if steps == 0 else ["ArrowDown" if steps > 0 else "ArrowUp"] * abs(steps):
        page.keyboard.press(key)
        settle(page)
    expect(fieldset.locator(f"input[type=radio][value={RATING_VALUES[index]}]")).to_be_checked()


def type_date(page, field, date):
    """Tab to a date input and type the date, segment by segment. Chromium lays the segments
    out by its own locale data (month first in Debian's build, even with an en-GB locale), so
    type month first and, if that gave another date, go back and type day first."""
    tab_to(page, field)
    for layout in ("%m%d%Y", "%d%m%Y"):
        page.keyboard.type(date.strftime(layout))
        if field.input_value() == date.isoformat():
            return
        page.keyboard.press("Shift+Tab")  # back to the first of the three segments
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"could not type {date} into the date input: {field.input_value()!r}")


def comment_for(pillar, index):
    """The comment typed for a question (two per pillar), or "" for none."""
    return f"Comment on {pillar.name}, question {index + 1}." if index in (0, 4) else ""


def percent(points, questions=7):
    return round(100 * points / (3 * questions))


# --- the journey ----------------------------------------------------------------------------


def test_leader_completes_a_well_check_by_keyboard_and_plans_an_action(
    page, live_server, settings, school, leader, check_a11y
):
    base = live_server.url
    settings.SITE_URL = base
    school_url = f"{base}{school.get_absolute_url()}"

    # 1. Sign in: the first focus on the email field, then only keys.
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_a11y(page)
    page.get_by_label("Email").focus()
    page.keyboard.type(leader.email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url=school_url):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    check_a11y(page)

    # 2. Start this year's Well Check from the school's panel.
    activate(page, page.get_by_role("button", name="Start the Well Check"))
    well_check = WellCheck.objects.get(school=school)
    check_url = f"{base}/schools/{school.urn}/wellcheck/{well_check.academic_year}/"
    assert page.url == check_url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Well Check")
    expect(page.get_by_text("Still to answer before you can submit (28)")).to_be_visible()
    check_a11y(page)

    pillars = list(well_check.framework.pillars.all())
    assert len(pillars) == len(RATINGS) == 4
    activate(page, page.locator(".list-group").get_by_role("link", name=pillars[0].name))

    # 3. The four pillars, each question's radio group reached with Tab.
    for number, (pillar, ratings) in enumerate(zip(pillars, RATINGS, strict=True)):
        expect(page).to_have_url(f"{check_url}pillars/{pillar.key}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(pillar.name)
        if number:
            expect(page.locator(".messages")).to_contain_text(
                f"{pillars[number - 1].name}: your answers are saved."
            )
        questions = list(pillar.questions.order_by("order", "pk"))
        assert len(questions) == len(ratings) == 7
        for index, (question, rating) in enumerate(zip(questions, ratings, strict=True)):
            fieldset = page.locator(f"#question-{question.pk} fieldset")
            status = page.locator(f"#status-{question.pk}")
            expect(status).to_have_text("Not answered yet")
            if number == index == 0:
                # Past the ratings to the comment first, then Shift+Tab back to them. Leaving
                # the comment autosaves, but without a rating nothing can be saved yet.
                tab_to(page, page.locator(f"#comment-{question.pk}"))
                page.keyboard.type(comment_for(pillar, index))
                tab_to(page, fieldset, holds_focus=HOLDS_FOCUSED_RADIO, backwards=True)
                expect(status).to_contain_text("Choose a rating to save this comment")
                choose_rating(page, fieldset, rating, entered=True)
                expect(status).to_have_text(re.compile("^Saved "))
                continue
            choose_rating(page, fieldset, rating)
            # The autosave answers with an out-of-band status fragment.
            expect(status).to_contain_text("Saved")
            if comment := comment_for(pillar, index):
                tab_to(page, page.locator(f"#comment-{question.pk}"))
                page.keyboard.type(comment)
                # Leaving the textarea fires `change`: the comment is autosaved too.
        sidebar = page.locator("#progress-list")
        expect(sidebar.locator("li").filter(has_text=pillar.name)).to_contain_text("7 of 7")
        # The sidebar, refreshed out of band by each autosave, still marks this pillar.
        expect(sidebar.get_by_role("link", name=pillar.name)).to_have_attribute(
            "aria-current", "page"
        )
        check_a11y(page)  # every question answered, every status "Saved …"
        # The autosave alone has stored every answer, comments included, before any Save.
        saved = {
            a.question_id: (a.rating, a.comment)
            for a in Answer.objects.filter(well_check=well_check, question__pillar=pillar)
        }
        assert saved == {
            q.pk: (RATING_VALUES[r], comment_for(pillar, i))
            for i, (q, r) in enumerate(zip(questions, ratings, strict=True))
        }

        if number + 1 < len(pillars):
            activate(
                page,
                page.get_by_role("button", name=f"Save and go to {pillars[number + 1].name}"),
            )
        else:
            activate(page, page.get_by_role("button", name="Save", exact=True))
            expect(page.locator(".messages")).to_contain_text(
                f"{pillar.name}: your answers are saved."
            )
            for question in questions:
                expect(page.locator(f"#status-{question.pk}")).to_contain_text(
                    f"by {leader.full_name}"
                )
            check_a11y(page)  # the reloaded page, answers from the database

    # 4. The data questions, reached from the progress sidebar.
    activate(page, page.locator("#progress-list").get_by_role("link", name="Data questions"))
    expect(page).to_have_url(f"{check_url}data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data questions")
    check_a11y(page)
    data_questions = list(well_check.framework.data_questions.all())
    assert len(data_questions) == len(DATA_VALUES) == 5
    for question, value in zip(data_questions, DATA_VALUES, strict=True):
        tab_to(page, page.locator(f"#value-{question.pk}"))
        page.keyboard.type(value)
    tab_to(page, page.get_by_role("button", name="Save", exact=True))  # blur: the last autosave
    expect(page.locator(f"#dstatus-{data_questions[-1].pk}")).to_contain_text("Saved")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your data answers are saved.")
    for question, value in zip(data_questions, DATA_VALUES, strict=True):
        expect(page.locator(f"#value-{question.pk}")).to_have_value(value)
    check_a11y(page)

    # 5. Check and submit.
    activate(page, page.locator("#progress-list").get_by_role("link", name="Check and submit"))
    expect(page).to_have_url(check_url)
    expect(page.get_by_text("Every question is answered.")).to_be_visible()
    expect(page.get_by_text("Still to answer")).to_have_count(0)
    for pillar in pillars:
        expect(page.locator(".list-group li").filter(has_text=pillar.name)).to_contain_text(
            "7 of 7 answered"
        )
    check_a11y(page)
    activate(page, page.get_by_role("link", name="Check your answers and submit"))
    expect(page).to_have_url(f"{check_url}submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    check_a11y(page)
    activate(page, page.get_by_role("button", name="Submit the Well Check"))

    # 6. The results: a score per pillar, in the chart and in its table alternative.
    expect(page).to_have_url(f"{check_url}results/")
    expect(page.locator(".messages")).to_contain_text("Submitted. Here are your results.")
    chart = page.locator("svg.pillar-chart")
    expect(chart).to_have_attribute("role", "img")
    expect(page.get_by_role("img", name=re.compile("Well Check scores by pillar"))).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Scores by pillar"))
    for pillar, ratings in zip(pillars, RATINGS, strict=True):
        row = table.get_by_role("row").filter(has_text=pillar.name)
        expect(row).to_contain_text(f"{sum(ratings)} of 21")
        expect(row).to_contain_text(f"{percent(sum(ratings))}%")
    expect(page.get_by_role("region", name="Strengths")).to_contain_text(pillars[0].name)
    expect(page.get_by_role("region", name="Growth areas")).to_contain_text(pillars[2].name)
    check_a11y(page)

    # 7. Make a growth area a priority: the plan's form opens with it filled in.
    priority = page.get_by_role("link", name=re.compile("^Make this a priority")).first
    question_pk = int(re.search(r"question=(\d+)", priority.get_attribute("href")).group(1))
    priority_question = Question.objects.select_related("pillar").get(pk=question_pk)
    activate(page, priority)
    expect(page).to_have_url(re.compile(rf"/plan/\?question={question_pk}#new-action$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan")
    expect(page.get_by_label("What will be done")).to_have_value(priority_question.text)
    check_a11y(page)

    owner = page.get_by_label("Who owns it")
    tab_to(page, owner)
    page.keyboard.press("ArrowDown")  # from "Nobody yet" to the only person at the school
    expect(owner).to_have_value(str(leader.pk))
    tab_to(page, page.get_by_label("How we will know it worked"))
    page.keyboard.type(SUCCESS_MEASURE)
    due = datetime.date.today() + datetime.timedelta(days=60)
    due = due.replace(day=20)  # a day above 12: a month read as a day cannot pass unseen
    due_input = page.get_by_label("Due date")
    type_date(page, due_input, due)
    expect(due_input).to_have_value(due.isoformat())
    activate(page, page.get_by_role("button", name="Add to the plan"))

    # 8. The plan shows the new action.
    # (The browser keeps the form page's #new-action across the redirect.)
    expect(page).to_have_url(re.compile(rf"^{re.escape(check_url)}plan/(#new-action)?$"))
    expect(page.locator(".messages")).to_contain_text(
        f"Added to the plan: {priority_question.text}"
    )
    plan = page.get_by_role("table", name=re.compile("Priorities by pillar"))
    row = plan.get_by_role("row").filter(has_text=priority_question.text)
    expect(row).to_contain_text(f"Success: {SUCCESS_MEASURE}")
    expect(row).to_contain_text(leader.full_name)
    expect(row).to_contain_text(priority_question.pillar.name)
    check_a11y(page)

    # 9. What the database says.
    well_check.refresh_from_db()
    assert well_check.status == WellCheck.Status.SUBMITTED
    assert well_check.submitted_by == leader
    answers = Answer.objects.filter(well_check=well_check)
    assert answers.count() == 28
    for pillar, ratings in zip(pillars, RATINGS, strict=True):
        questions = pillar.questions.order_by("order", "pk")
        for index, (question, rating) in enumerate(zip(questions, ratings, strict=True)):
            answer = answers.get(question=question)
            assert answer.rating == RATING_VALUES[rating], (pillar.key, index)
            assert answer.comment == comment_for(pillar, index), (pillar.key, index)
    assert DataAnswer.objects.filter(well_check=well_check).count() == 5
    action = Action.objects.get(well_check=well_check)
    assert action.success_measure == SUCCESS_MEASURE
    assert action.question_id == question_pk
    assert action.owner == leader
    assert action.due_date == due
