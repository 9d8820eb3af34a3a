"""Two colleagues at once, for real: PostgreSQL, threads, separate connections."""

import pytest
from concurrency import run_together
from factories import UserFactory, grant

from wellcheck.models import Answer, Question, WellCheck
from wellcheck.services import AnswerConflict, answer_save, wellcheck_start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_leaders(school):
    first, second = UserFactory(full_name="First Leader"), UserFactory(full_name="Second Leader")
    grant(first, "school_leader", school=school)
    grant(second, "school_leader", school=school)
    return first, second


def test_two_editors_on_the_same_answer_one_saves_the_other_is_told(school, two_leaders):
    first, second = two_leaders
    well_check = wellcheck_start(actor=first, school=school)
    question = Question.objects.filter(pillar__framework=well_check.framework).first()

    def save(user, rating):
        return lambda: answer_save(
            actor=user,
            well_check=well_check,
            question=question,
            rating=rating,
            comment=f"{user.full_name} says {rating}",
            expected_version=0,
        )

    outcomes = run_together(save(first, "good"), save(second, "strong"))
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    saved = next(value for kind, value in outcomes if kind == "ok")
    conflict = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(conflict, AnswerConflict)
    stored = Answer.objects.get(question=question)
    # The loser is shown exactly what the winner saved; nothing was silently overwritten.
    assert (stored.rating, stored.comment) == (saved.rating, saved.comment)
    assert conflict.theirs.rating == stored.rating and stored.version == 1


def test_two_editors_on_different_questions_both_save(school, two_leaders):
    first, second = two_leaders
    well_check = wellcheck_start(actor=first, school=school)
    q1, q2 = Question.objects.filter(pillar__framework=well_check.framework)[:2]
    outcomes = run_together(
        lambda: answer_save(actor=first, well_check=well_check, question=q1, rating="good"),
        lambda: answer_save(actor=second, well_check=well_check, question=q2, rating="limited"),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert dict(Answer.objects.values_list("question_id", "rating")) == {
        q1.pk: "good",
        q2.pk: "limited",
    }


def test_two_leaders_pressing_start_at_once_get_one_check(school, two_leaders):
    first, second = two_leaders
    outcomes = run_together(
        lambda: wellcheck_start(actor=first, school=school),
        lambda: wellcheck_start(actor=second, school=school),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1].pk == outcomes[1][1].pk
    assert WellCheck.objects.count() == 1
