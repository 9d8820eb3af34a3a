"""Documents, home-page panels and reminder scanners are declared one way: on each app's
AppConfig, as dotted paths read by wellschools.extensions."""

from django.apps import apps

from wellschools.documents import DocumentKind, document_kinds
from wellschools.extensions import Panel, declared
from wellschools.reminders import reminder_scanners


def test_every_app_declares_its_extensions_on_its_app_config():
    by_app = {
        config.name: {
            name: list(getattr(config, name, ()))
            for name in ("panels", "documents", "reminder_scanners")
        }
        for config in apps.get_app_configs()
    }
    assert by_app["partnership"]["documents"] == ["partnership.documents.MEMBER_LIST"]
    assert [p.page for p in by_app["wellcheck"]["panels"]] == ["school", "trust", "partnership"]
    assert by_app["events"]["reminder_scanners"] == ["events.reminders.send_event_reminders"]
    assert by_app["accreditation"]["documents"] == ["accreditation.documents.CERTIFICATE"]
    assert by_app["insight"]["documents"] == ["insight.documents.IMPACT_REPORT"]


def test_declarations_resolve_to_the_objects_the_platform_uses():
    assert all(isinstance(panel, Panel) for panel in declared("panels"))
    assert all(isinstance(kind, DocumentKind) for kind in declared("documents"))
    assert set(document_kinds()) == {
        "member_list",
        "wellcheck_report",
        "trust_summary",
        "accreditation_certificate",
        "staffsurvey_poster",
        "staffsurvey_report",
        "staffsurvey_report_full",
        "insight_impact_report",
    }
    names = [f"{fn.__module__}.{fn.__name__}" for fn in reminder_scanners()]
    assert names == [
        "wellcheck.reminders.remind_idle_wellchecks",
        "wellcheck.reminders.remind_annual_wellcheck",
        "wellcheck.reminders.remind_actions",
        "events.reminders.send_event_reminders",
        "accreditation.reminders.remind_renewals",
        "network.reminders.send_weekly_digests",
        "staffsurvey.reminders.remind_survey_halfway",
        "staffsurvey.reminders.notify_survey_threshold",
        "staffsurvey.reminders.close_ended_surveys",
    ]


def test_later_apps_add_their_own_demo_data():
    names = [f"{fn.__module__}.{fn.__name__}" for fn in declared("demo_data")]
    assert names == [
        "wellcheck.demo.seed_demo",
        "events.demo.seed_demo",
        "network.demo.seed_demo",
        "staffsurvey.demo.seed_demo",
    ]
