"""The figures' cache stays live: a page read again costs no figure query, a write shows at once.

Issue 12 (parcours/core/freshness.py). The suite runs with the cache off (tests/settings.py:
a test's writes never commit); these tests turn it on and run the commit callbacks of each
write, as production does after its commit.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.core import freshness
from parcours.organisations.roles import Role
from parcours.reception import services as reception_services
from tests.factories import PersonFactory, membership_for
from tests.factories_indicators import born, check_on
from tests.factories_reception import SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)
JANUARY = "?start=2026-01&end=2026-01"


@pytest.fixture(autouse=True)
def figures_cache_on(settings):
    settings.PARCOURS_FIGURES_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _men_checked(n, capture):
    with capture(execute=True):
        for _ in range(n):
            check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))


def _client(client_for, capture, role, **kwargs):
    """A signed-in client; its membership's writes committed like the rest (their callback)."""
    with capture(execute=True):
        return client_for(role, **kwargs)


def _read(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response, len(queries)


def _figures(response) -> bytes:
    """The figures, below the period's form (the head holds a fresh CSP nonce and tokens)."""
    content = response.content
    start = content.index(b"</form>", content.index(b"<h1>"))
    return content[start : content.index(b"</main>")]


def _men_46_64(response) -> int:
    table = response.context["board"].document.sections[0].blocks[0].published
    return table.value("H", "46-64")


def test_a_second_read_runs_no_figure_query_and_a_write_shows_on_the_next(
    client_for, django_capture_on_commit_callbacks
):
    _men_checked(2, django_capture_on_commit_callbacks)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR)
    first, computed = _read(client, "/chiffres/" + JANUARY)
    again, cached = _read(client, "/chiffres/" + JANUARY)
    assert _figures(again) == _figures(first)
    assert cached <= computed - 7  # the report, the approvals, five pathway figures: not run
    _men_checked(1, django_capture_on_commit_callbacks)
    after, recomputed = _read(client, "/chiffres/" + JANUARY)
    assert recomputed == computed
    assert _men_46_64(after) == 3
    assert _figures(after) != _figures(first)


def test_a_bulk_convocation_raises_the_generation_once_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(date=DAY + datetime.timedelta(days=30), capacity=10)
        agent = membership_for(Role.RECEPTION_AGENT).user
        people = [PersonFactory(directorate=session.directorate) for _ in range(3)]
    before = freshness.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reception_services.convoke_many(session, people, actor=agent)
    assert freshness.generation() == before  # not before the commit: readers keep the old
    for callback in callbacks:
        callback()
    assert freshness.generation() == before + 1  # once for the whole transaction


def test_each_perimeter_and_role_gets_its_own_figures(
    client_for, django_capture_on_commit_callbacks
):
    _men_checked(2, django_capture_on_commit_callbacks)
    director = _client(client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR).get(
        "/chiffres/" + JANUARY
    )
    regional = _client(client_for, django_capture_on_commit_callbacks, Role.REGIONAL_VIEWER).get(
        "/chiffres/" + JANUARY
    )
    other_dt = _client(
        client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR, directorate_code="reims"
    ).get("/chiffres/" + JANUARY)
    assert "chiffres exacts" in director.content.decode()
    assert "chiffres exacts" not in regional.content.decode()
    assert _figures(director) != _figures(other_dt)
    assert _men_46_64(director) == 2
    assert _men_46_64(other_dt) == 0


def test_an_export_is_served_again_until_a_write_changes_it(
    client_for, django_capture_on_commit_callbacks
):
    _men_checked(2, django_capture_on_commit_callbacks)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR)
    first, computed = _read(client, "/chiffres/export.csv" + JANUARY)
    again, cached = _read(client, "/chiffres/export.csv" + JANUARY)
    assert again.content == first.content
    assert cached < computed
    _men_checked(1, django_capture_on_commit_callbacks)
    after, _count = _read(client, "/chiffres/export.csv" + JANUARY)
    assert after.content != first.content


def test_the_worklists_counts_follow_a_missed_convocation(
    client_for, django_capture_on_commit_callbacks
):
    from parcours.reception.models import AttendanceStatus
    from tests.factories_indicators import ConvocationFactory
    from tests.factories_indicators import SessionFactory as IndicatorSessionFactory

    with django_capture_on_commit_callbacks(execute=True):
        session = IndicatorSessionFactory(date=DAY)
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.RECEPTION_AGENT)
    first, computed = _read(client, "/pfa/a-traiter/")
    again, cached = _read(client, "/pfa/a-traiter/")
    assert first.context["reconvoke"]["count"] == again.context["reconvoke"]["count"] == 1
    assert cached == computed - 5  # the three counts, the two of the people waiting
    with django_capture_on_commit_callbacks(execute=True):
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    after, _count = _read(client, "/pfa/a-traiter/")
    assert after.context["reconvoke"]["count"] == 2
    assert len(after.context["reconvoke"]["page"]["rows"]) == 2


# A generation per DT (issue 12): a write raises the DTs it touches, not the country.


def _dt(code):
    from parcours.territories.models import Directorate

    return Directorate.objects.get(code=code)


def _person_of(code, **fields):
    return PersonFactory(department=_dt(code).departments.order_by("code").first(), **fields)


def test_a_write_in_one_dt_leaves_the_other_dts_cached_figures(
    client_for, django_capture_on_commit_callbacks
):
    _men_checked(2, django_capture_on_commit_callbacks)
    metz = _client(client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR)
    reims = _client(
        client_for, django_capture_on_commit_callbacks, Role.DT_DIRECTOR, directorate_code="reims"
    )
    _first, metz_computed = _read(metz, "/chiffres/" + JANUARY)
    _first, reims_computed = _read(reims, "/chiffres/" + JANUARY)
    _again, metz_cached = _read(metz, "/chiffres/" + JANUARY)
    _again, reims_cached = _read(reims, "/chiffres/" + JANUARY)
    # A CIP interview in Reims: Reims computes again, Metz reads its cached page.
    with django_capture_on_commit_callbacks(execute=True):
        check_on(DAY, person=_person_of("reims", sex="H", birth_date=born(50, DAY)), dt="reims")
    after, reims_now = _read(reims, "/chiffres/" + JANUARY)
    _after, metz_now = _read(metz, "/chiffres/" + JANUARY)
    assert reims_now == reims_computed
    assert metz_now == metz_cached < metz_computed
    assert _men_46_64(after) == 1


def test_a_region_or_the_country_follows_the_generations_of_its_dts(
    django_capture_on_commit_callbacks,
):
    metz, reims = _dt("metz"), _dt("reims")
    others = list(type(metz).objects.exclude(pk__in=[metz.pk, reims.pk]))
    assert others  # the territories' seed has more DTs than these two
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("metz")
    region = freshness.generation([metz, reims])
    elsewhere = freshness.generation(others)
    country = freshness.generation()
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("reims")
    assert freshness.generation([metz, reims]) > region  # the region of Reims changes
    assert freshness.generation() > country  # so does the national year
    assert freshness.generation(others) == elsewhere  # DTs without a write keep theirs
    # A bulk write that does not name its DTs raises the country's: every figure follows.
    with django_capture_on_commit_callbacks(execute=True):
        freshness.figures_changed()
    assert freshness.generation(others) > elsewhere


def test_a_person_moved_to_another_dt_raises_both(django_capture_on_commit_callbacks):
    from parcours.people.models import Person

    metz, reims = _dt("metz"), _dt("reims")
    with django_capture_on_commit_callbacks(execute=True):
        person = _person_of("metz")
    before_metz, before_reims = freshness.generation([metz]), freshness.generation([reims])
    loaded = Person.objects.get(pk=person.pk)
    loaded.department = reims.departments.order_by("code").first()
    loaded.directorate = reims
    with django_capture_on_commit_callbacks(execute=True):
        loaded.save(update_fields=["directorate", "department"])
    assert freshness.generation([metz]) > before_metz
    assert freshness.generation([reims]) > before_reims


def test_the_worklists_counts_of_a_dt_follow_its_writes_only(
    client_for, django_capture_on_commit_callbacks
):
    from parcours.reception.models import AttendanceStatus
    from tests.factories_indicators import ConvocationFactory
    from tests.factories_indicators import SessionFactory as IndicatorSessionFactory

    with django_capture_on_commit_callbacks(execute=True):
        session = IndicatorSessionFactory(date=DAY)
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.RECEPTION_AGENT)
    _first, computed = _read(client, "/pfa/a-traiter/")
    with django_capture_on_commit_callbacks(execute=True):  # another DT's absence
        other = IndicatorSessionFactory(date=DAY, directorate=_dt("reims"))
        ConvocationFactory(
            session=other,
            status=AttendanceStatus.ABSENT,
            person=_person_of("reims"),
        )
    again, cached = _read(client, "/pfa/a-traiter/")
    assert cached == computed - 5 and again.context["reconvoke"]["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    after, _count = _read(client, "/pfa/a-traiter/")
    assert after.context["reconvoke"]["count"] == 2


def test_the_person_list_count_follows_the_writes_of_its_dt(
    client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _person_of("metz")
    client = _client(client_for, django_capture_on_commit_callbacks, Role.RECEPTION_AGENT)
    first, computed = _read(client, "/personnes/")
    again, cached = _read(client, "/personnes/")
    assert first.context["page"].paginator.count == again.context["page"].paginator.count == 3
    assert cached == computed - 1  # the count
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("reims")  # another DT: the cached count stays
    _other, still = _read(client, "/personnes/")
    assert still == cached
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("metz")
    after, _count = _read(client, "/personnes/")
    assert after.context["page"].paginator.count == 4
    assert len(after.context["page"].object_list) == 4


def test_the_home_reads_the_worklists_counts_of_the_worklists_page(
    client_for, django_capture_on_commit_callbacks
):
    from parcours.reception.models import AttendanceStatus
    from tests.factories_indicators import ConvocationFactory
    from tests.factories_indicators import SessionFactory as IndicatorSessionFactory

    with django_capture_on_commit_callbacks(execute=True):
        session = IndicatorSessionFactory(date=DAY)
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.INTEGRATION_AUDITOR)
    home, computed = _read(client, "/")
    _read(client, "/pfa/a-traiter/")
    again, cached = _read(client, "/")
    assert home.context["worklists"].reconvoke == again.context["worklists"].reconvoke == 1
    assert cached == computed - 4  # the three counts and the persons of the DT, from the cache
    with django_capture_on_commit_callbacks(execute=True):
        ConvocationFactory(session=session, status=AttendanceStatus.ABSENT)
    after, _count = _read(client, "/")
    assert after.context["worklists"].reconvoke == 2


def test_the_people_waiting_for_a_session_are_counted_once_per_write_of_their_dt(
    django_capture_on_commit_callbacks,
):
    """The capacity outlook's count of people waiting (worklists and convoke pages) is two
    exact counts over the DT: cached under the DT's generation, a write shows at once."""
    from parcours.messaging.capacity import waiting_count

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            _person_of("metz")
    metz = _dt("metz").pk
    with CaptureQueriesContext(connection) as first:
        assert waiting_count(metz) == 2
    with CaptureQueriesContext(connection) as again:
        assert waiting_count(metz) == 2
    assert len(again) < len(first)  # the generation's lookup, not the two counts
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("reims")  # another DT's write leaves Metz's count cached
    with CaptureQueriesContext(connection) as other:
        assert waiting_count(metz) == 2
    assert len(other) == len(again)
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("metz")
    assert waiting_count(metz) == 3


def test_the_home_count_of_the_dt_persons_follows_the_writes_of_its_dt(
    client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            _person_of("metz")
    client = _client(client_for, django_capture_on_commit_callbacks, Role.RECEPTION_AGENT)
    first, computed = _read(client, "/")
    again, cached = _read(client, "/")
    assert first.context["person_count"] == again.context["person_count"] == 2
    assert cached < computed
    with django_capture_on_commit_callbacks(execute=True):
        _person_of("metz")
    after, _count = _read(client, "/")
    assert after.context["person_count"] == 3


def _recorded_months() -> set:
    from parcours.indicators.models import ReleaseRecord

    return set(ReleaseRecord.objects.values_list("audience", "directorate_id", "month"))


def test_a_protected_view_read_again_is_not_built_again_but_recorded_again(
    client_for, django_capture_on_commit_callbacks
):
    """Issue 12: the region's protected month is cached like the DT's page; issue 11: each
    view is still recorded for its audience, and a write shows on the next view."""
    from parcours.indicators.models import ReleaseRecord

    _men_checked(8, django_capture_on_commit_callbacks)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.REGIONAL_VIEWER)
    first, computed = _read(client, "/chiffres/" + JANUARY)
    assert "chiffres exacts" not in first.content.decode()
    months = _recorded_months()
    assert months  # each DT of the region, for January
    # The first view recorded the cells it hid, which the second reads as given hidden before
    # (another key: built once more, the same figures); from then on, nothing is built.
    second, _count = _read(client, "/chiffres/" + JANUARY)
    again, cached = _read(client, "/chiffres/" + JANUARY)
    assert _figures(again) == _figures(second) == _figures(first)
    assert cached <= computed - 7  # the report and the pathway figures: not run
    # Records erased (say, by hand): the next view, cached or not, writes them again.
    ReleaseRecord.objects.all().delete()
    _read(client, "/chiffres/" + JANUARY)
    assert _recorded_months() == months
    _men_checked(1, django_capture_on_commit_callbacks)
    after, recomputed = _read(client, "/chiffres/" + JANUARY)
    assert _figures(after) != _figures(first)
    assert _men_46_64(after) == 9


def test_a_value_the_audience_was_given_hidden_since_is_hidden_on_the_cached_page(
    client_for, django_capture_on_commit_callbacks
):
    """What an audience was shown hidden stays hidden (issue 11), even when the release that
    hid it (an e-mail, the API) was written after the page was cached: release records raise
    no generation, so what they hide is part of the page's key."""
    from parcours.indicators.models import ReleaseRecord

    _men_checked(8, django_capture_on_commit_callbacks)
    client = _client(client_for, django_capture_on_commit_callbacks, Role.REGIONAL_VIEWER)
    first, _count = _read(client, "/chiffres/" + JANUARY)
    document = first.context["board"].document
    published = document.sections[0].blocks[0].published
    assert published.value("H", "46-64") == 8
    (directorate_id, month), tables = next(
        (key, tables)
        for key, tables in document.releases.items()
        if any(table is published for table in tables.values())
    )
    code = next(code for code, table in tables.items() if table is published)
    record = ReleaseRecord.objects.get(directorate_id=directorate_id, month=month.first_day)
    record.hidden = [*record.hidden, f"{code}|H|46-64"]
    record.fingerprint = "an earlier release"
    record.pk = None
    record.save()
    after, _count = _read(client, "/chiffres/" + JANUARY)
    assert _figures(after) != _figures(first)
    assert (
        after.context["board"].document.sections[0].blocks[0].published.value("H", "46-64") is None
    )
