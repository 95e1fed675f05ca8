"""The recommender against the database: the log, the stored lists, the tasks, the pages and the actions."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from matching import services, tasks
from matching.models import Interaction, NotInterested, PersonalisationOptOut, PrecomputeRun, Recommendation
from matching.recommender import precompute, serving
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    ReviewFactory,
    listed_mentor,
    student_with_profile,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_model():
    precompute.forget_model()
    yield
    precompute.forget_model()


@pytest.fixture
def roster():
    """Six Telugu-speaking mentors of different fields and one who speaks only Tamil."""
    mentors = {
        "neet": listed_mentor(languages=["te", "en"], specializations=["NEET Biology"], subjects=["Biology"]),
        "jee": listed_mentor(languages=["te", "en"], specializations=["JEE Physics"], subjects=["Physics"]),
        "boards": listed_mentor(languages=["te"], specializations=["CBSE Class 10 Science"], subjects=["Science"]),
        "english": listed_mentor(languages=["te", "en"], specializations=["Spoken English"], subjects=["English"]),
        "software": listed_mentor(
            languages=["te", "en"], specializations=["Software Engineering"], levels_served=["college"]
        ),
        "design": listed_mentor(languages=["hi", "te"], specializations=["UI/UX Design"], subjects=["Art"]),
        "tamil": listed_mentor(languages=["ta"], specializations=["NEET Biology"], subjects=["Biology"]),
    }
    return mentors


def neet_student(**fields):
    return student_with_profile(
        languages=("te", "en"), class_grade=12, stream="science_pcb", subjects=["Biology", "Chemistry"],
        interests=["NEET", "becoming a doctor"], industries=["healthcare"], **fields,
    )  # fmt: skip


def stored(student):
    return list(Recommendation.objects.filter(student=student).order_by("rank").values_list("mentor_id", flat=True))


def test_precompute_writes_a_ranked_list_with_reasons_and_the_language_rule(roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    rows = list(Recommendation.objects.filter(student=student).order_by("rank"))
    assert [row.rank for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].mentor_id == roster["neet"].pk
    assert roster["tamil"].pk not in [row.mentor_id for row in rows]
    assert all(row.reasons for row in rows)
    assert {"code": "speaks", "language": "te"} in rows[0].reasons


def test_precompute_is_idempotent(roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    first = list(Recommendation.objects.filter(student=student).values_list("mentor_id", "rank", "reasons"))
    services.recommendations_refresh(student_ids=[student.pk])
    again = list(Recommendation.objects.filter(student=student).values_list("mentor_id", "rank", "reasons"))
    assert sorted(first) == sorted(again)


def test_full_precompute_resumes_an_interrupted_run_from_its_cursor(roster):
    first, second, third = neet_student(), neet_student(), neet_student()
    # A run that crashed after writing the first student's chunk.
    PrecomputeRun.objects.create(kind="full", model_version="x", cursor=first.pk, started_at=timezone.now())
    written = services.recommendations_precompute_all(chunk_size=1)
    assert written == 2
    assert not stored(first)
    assert stored(second) and stored(third)
    run = PrecomputeRun.objects.get(kind="full")
    assert run.finished_at is not None and run.cursor == third.pk
    # The next night starts a new run over everyone.
    assert services.recommendations_precompute_all() == 3


def test_not_interested_removes_the_mentor_now_and_from_every_later_list(
    client, roster, django_capture_on_commit_callbacks
):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    client.force_login(student)
    url = reverse("matching:not_interested", args=[roster["neet"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"next": reverse("accounts:dashboard")}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-testid="not-interested-done"' in response.content.decode()
    assert NotInterested.objects.filter(student=student, mentor=roster["neet"]).exists()
    assert Interaction.objects.filter(student=student, kind="not_interested").count() == 1
    # The list was refilled without the mentor, and recomputing never brings them back.
    assert roster["neet"].pk not in stored(student)
    services.recommendations_refresh(student_ids=[student.pk])
    assert roster["neet"].pk not in stored(student)
    page = client.get(reverse("matching:recommendations")).content.decode()
    assert roster["neet"].slug not in page


def test_not_interested_without_javascript_redirects_back_with_a_message(client, roster):
    student = neet_student()
    client.force_login(student)
    response = client.post(
        reverse("matching:not_interested", args=[roster["jee"].pk]), {"next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("matching:recommendations")
    assert "We will not recommend" in response.content.decode()


def test_not_interested_refuses_get_unknown_mentors_and_non_students(client, roster):
    student = neet_student()
    client.force_login(student)
    url = reverse("matching:not_interested", args=[roster["jee"].pk])
    assert client.get(url).status_code == 405
    assert client.post(reverse("matching:not_interested", args=[999999])).status_code == 404
    client.force_login(roster["jee"].user)
    assert client.post(url).status_code == 403
    assert not NotInterested.objects.exists()


def test_a_student_with_no_list_yet_gets_the_live_ranking_and_a_list_is_computed(
    client, roster, django_capture_on_commit_callbacks
):
    student = neet_student()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="recommended-mentors"' in html
    assert "Speaks Telugu" in html
    assert roster["tamil"].slug not in html
    # The live answer was followed by a stored list.
    assert stored(student)[0] == roster["neet"].pk


def test_the_dashboard_serves_the_stored_list_with_a_bounded_number_of_queries(
    client, roster, django_assert_max_num_queries
):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    client.force_login(student)
    client.get(reverse("accounts:dashboard"))  # warm the caches (language names, filter options)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("accounts:dashboard"))
    html = response.content.decode()
    assert html.count('data-testid="recommendation"') == 6
    assert "Why this?" in html and "Not interested" in html
    assert reverse("matching:recommendations") in html


def test_a_suspended_mentor_disappears_from_stored_lists_at_once(client, roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    mentor = roster["neet"]
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])
    services.search_document_refresh(mentor_id=mentor.pk)
    cards = serving.recommendations_for(student, limit=50)
    assert mentor.pk not in [card.result.document.mentor_id for card in cards]
    services.recommendations_mentor_changed_listener(mentor.pk)
    assert mentor.pk not in stored(student)


def test_reasons_are_rendered_in_the_viewers_language(roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    with translation.override("en"):
        english = serving.recommendations_for(student)[0].reasons
    with translation.override("hi"):
        hindi = serving.recommendations_for(student)[0].reasons
    assert english and len(english) == len(hindi)
    assert all(en != hi for en, hi in zip(english, hindi, strict=True))


@pytest.mark.parametrize(
    "reason",
    [
        {"code": "speaks", "language": "te"}, {"code": "level", "level": "school"},
        {"code": "specializes", "field": "JEE"}, {"code": "expert_in", "field": "JEE"},
        {"code": "helps_with", "topic": "JEE"}, {"code": "co_booked"}, {"code": "similar_students"},
        {"code": "rated", "rating": 4.9, "count": 12}, {"code": "new_mentor"}, {"code": "same_city"},
        {"code": "same_state"},
    ],
)  # fmt: skip
def test_every_reason_code_has_hindi_and_telugu_text(reason):
    texts = {}
    for language in ("en", "hi", "te"):
        with translation.override(language):
            texts[language] = serving.reason_text(reason, {"te": "Telugu"})
    assert texts["en"] and texts["hi"] != texts["en"] and texts["te"] != texts["en"]


def test_unknown_reason_codes_are_skipped():
    assert serving.reason_text({"code": "from_a_future_model"}, {}) is None


def test_clicks_are_logged_after_commit_with_source_and_rank(client, roster, django_capture_on_commit_callbacks):
    student = neet_student()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("matching:open", args=[roster["jee"].pk]) + "?source=dashboard&rank=3")
    assert response.status_code == 302 and response.url == reverse("mentors:profile", args=[roster["jee"].slug])
    click = Interaction.objects.get(student=student)
    assert (click.kind, click.source, click.rank, click.mentor_id) == ("click", "dashboard", 3, roster["jee"].pk)
    # Hostile parameters are dropped, not stored.
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("matching:open", args=[roster["jee"].pk]) + "?source=<script>&rank=-4")
    assert Interaction.objects.filter(source="", rank=None).count() == 1


def test_students_who_turned_personalisation_off_are_not_logged(client, roster, django_capture_on_commit_callbacks):
    student = neet_student()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("matching:open", args=[roster["jee"].pk]))
    assert Interaction.objects.filter(student=student).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:personalisation"), {"enabled": "0"})
    assert PersonalisationOptOut.objects.filter(student=student).exists()
    assert not Interaction.objects.filter(student=student).exists()  # the earlier click was forgotten
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("matching:open", args=[roster["jee"].pk]))
    assert not Interaction.objects.filter(student=student).exists()
    booking = BookingFactory(student=student, session=GroupSessionFactory(mentor=roster["jee"].user))
    assert booking.pk
    services.interactions_sweep(now=timezone.now() + dt.timedelta(seconds=1))
    assert not Interaction.objects.filter(student=student).exists()


def test_the_sweep_logs_bookings_and_ratings_once_and_refreshes_those_students(roster):
    student = neet_student()
    services.interactions_sweep(now=timezone.now() - dt.timedelta(seconds=5))  # first watermark
    review = ReviewFactory(booking__student=student, booking__session__mentor=roster["jee"].user, rating=5)
    later = timezone.now() + dt.timedelta(seconds=1)
    changed = services.interactions_sweep(now=later)
    assert student.pk in changed
    kinds = sorted(Interaction.objects.filter(student=student).values_list("kind", flat=True))
    assert kinds == ["booking", "completed", "rating"]
    assert Interaction.objects.get(kind="rating").value == review.rating
    # Sweeping the same period again adds nothing (source keys).
    PrecomputeRun.objects.filter(kind="sweep").update(watermark=later - dt.timedelta(minutes=5))
    services.interactions_sweep(now=later)
    assert Interaction.objects.filter(student=student).count() == 3
    assert tasks.sweep_recommendation_events() >= 0


def test_a_booked_mentor_leaves_the_list_and_co_booked_mentors_rise(roster):
    student, peer = neet_student(), neet_student()
    now = timezone.now()
    for mentor in ("english", "design"):
        Interaction.objects.create(student=peer, mentor=roster[mentor], kind="booking", created_at=now)
    Interaction.objects.create(student=student, mentor=roster["english"], kind="booking", created_at=now)
    services.recommendations_refresh(student_ids=[student.pk])
    rows = list(Recommendation.objects.filter(student=student).order_by("rank"))
    assert roster["english"].pk not in [row.mentor_id for row in rows]
    design = next(row for row in rows if row.mentor_id == roster["design"].pk)
    assert {"code": "co_booked"} in design.reasons or design.rank <= 3


def test_the_retention_task_prunes_old_views_but_keeps_recent_ones(roster):
    student = neet_student()
    now = timezone.now()
    old = Interaction.objects.create(
        student=student, mentor=roster["jee"], kind="view", created_at=now - dt.timedelta(days=400)
    )
    recent = Interaction.objects.create(student=student, mentor=roster["jee"], kind="view", created_at=now)
    assert services.interactions_prune(now=now) == 1
    assert not Interaction.objects.filter(pk=old.pk).exists()
    assert Interaction.objects.filter(pk=recent.pk).exists()


def test_a_newly_listed_mentor_reaches_the_students_they_fit(roster, django_capture_on_commit_callbacks):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    newcomer = listed_mentor(languages=["te"], specializations=["NEET Biology"], subjects=["Biology"])
    # The refresh is owed through the outbox and published once the change commits.
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendations_mentor_changed_listener(newcomer.pk)
    assert newcomer.pk in stored(student)


def test_the_evaluation_command_prints_every_ranker_for_both_groups(capsys):
    call_command("recommendations_evaluate", mentors=40, students=60, seed=1)
    output = capsys.readouterr().out
    for label in ("cold students", "warm students", "random", "popularity", "compatibility", "content",
                  "collaborative", "hybrid", "NDCG@10", "coverage", "diversity", "novelty"):  # fmt: skip
        assert label in output


@pytest.mark.slow
def test_the_hybrid_beats_compatibility_and_popularity_for_cold_and_warm_students():
    from matching.recommender import evaluation

    table = evaluation.evaluate(evaluation.synthetic_population(mentors=300, students=800, seed=5))
    for group in ("cold", "warm"):
        hybrid = table[group]["hybrid"].ndcg_at_10
        assert hybrid > table[group]["compatibility"].ndcg_at_10
        assert hybrid > table[group]["popularity"].ndcg_at_10


def test_for_you_sort_puts_the_stored_list_first_then_every_other_match(client, roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    first = Recommendation.objects.get(student=student, rank=1).mentor
    NotInterested.objects.create(student=student, mentor=roster["jee"], created_at=timezone.now())
    client.force_login(student)
    html = client.get(reverse("matching:search"), {"sort": "for_you"}).content.decode()
    assert html.index(f'data-mentor="{first.slug}"') < html.index(f'data-mentor="{roster["design"].slug}"')
    assert f'data-mentor="{roster["jee"].slug}"' not in html
    assert f'data-mentor="{roster["tamil"].slug}"' in html  # a search still finds everyone; only the order changes


def test_visitors_are_not_offered_the_for_you_sort(client, roster):
    html = client.get(reverse("matching:search")).content.decode()
    assert 'value="for_you"' not in html
    assert client.get(reverse("matching:search"), {"sort": "for_you"}).status_code == 200


def test_a_profile_shows_co_booked_then_similar_mentors_and_logs_the_students_view(
    client, roster, django_capture_on_commit_callbacks
):
    student, peer = neet_student(), neet_student()
    now = timezone.now()
    for mentor in ("neet", "english"):
        Interaction.objects.create(student=peer, mentor=roster[mentor], kind="booking", created_at=now)
    other_neet = listed_mentor(languages=["te"], specializations=["NEET Biology"])
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(reverse("mentors:profile", args=[roster["neet"].slug])).content.decode()
    section = html[html.index('data-testid="similar-mentors"') :]
    assert section.index(roster["english"].user.full_name) < section.index(other_neet.user.full_name)
    assert "Students who booked this mentor also booked" in section
    assert roster["tamil"].user.full_name not in section  # shares no language with the mentor's students
    assert Interaction.objects.filter(student=student, mentor=roster["neet"], kind="view").exists()


def test_recommended_group_sessions_follow_the_students_mentors(client, roster):
    student = neet_student()
    services.recommendations_refresh(student_ids=[student.pk])
    best = Recommendation.objects.get(student=student, rank=1).mentor
    mine = GroupSessionFactory(mentor=best.user, title="NEET biology marathon")
    client.force_login(student)
    html = client.get(reverse("sessions_app:group_list")).content.decode()
    panel = html[html.index('data-testid="recommended-group-sessions"') :]
    assert mine.title in panel


def test_the_nightly_run_backfills_bookings_made_before_the_recommender_existed(roster):
    from sessions_app.models import Booking

    student = neet_student()
    booking = BookingFactory(student=student, session=GroupSessionFactory(mentor=roster["neet"].user))
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now() - dt.timedelta(days=300))
    services.recommendations_precompute_all()
    assert Interaction.objects.filter(student=student, kind="booking", mentor=roster["neet"]).exists()
    assert stored(student) and roster["neet"].pk not in stored(student)  # a booked mentor leaves the list


def test_a_mentor_unlisted_after_the_model_was_fitted_is_left_out_of_written_lists(roster):
    from matching.models import MentorSearchDocument

    student = neet_student()
    precompute.current_model()
    MentorSearchDocument.objects.filter(pk=roster["neet"].pk).delete()
    services.recommendations_refresh(student_ids=[student.pk])
    assert stored(student) and roster["neet"].pk not in stored(student)
