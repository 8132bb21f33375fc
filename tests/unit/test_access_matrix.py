"""Who may run which handler: one table for every command and button the bot registers.

A handler added without a permission, or without a row here, fails this test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram import Router

from core.models import Role
from handlers import get_routers
from services.access import Actor, Permission, allows
from storage.records import Person

EXPECTED: dict[str, Permission] = {
    "handlers.start.start_with_unknown_link": Permission.ANYONE,
    "handlers.start.start": Permission.ANYONE,
    "handlers.start.help_command": Permission.ANYONE,
    "handlers.start.cancel_command": Permission.ANYONE,
    "handlers.invites.open_invite": Permission.ANYONE,
    "handlers.invites.on_answer": Permission.ANYONE,
    "handlers.invites.on_consent": Permission.ANYONE,
    "handlers.privacy.privacy_command": Permission.ANYONE,
    "handlers.privacy.on_consent_again": Permission.ANYONE,
    "handlers.survey_answering.answers.open_survey": Permission.RESPONDENT,
    "handlers.survey_answering.answers.on_text": Permission.RESPONDENT,
    "handlers.survey_answering.answers.on_submit": Permission.RESPONDENT,
    "handlers.survey_answering.answers.on_cancel": Permission.RESPONDENT,
    "handlers.survey_answering.answers.on_button": Permission.RESPONDENT,
    "handlers.people.people_command": Permission.MANAGE,
    "handlers.people.on_people_button": Permission.MANAGE,
    "handlers.personal_data.mydata_command": Permission.STAFF,
    "handlers.messenger.here_command": Permission.STAFF,
    "handlers.personal_data.forgetme_command": Permission.STAFF,
    "handlers.roadmap_view.roadmap_command": Permission.VIEW,
    "handlers.roadmap_view.on_date_text": Permission.MANAGE,
    "handlers.roadmap_view.on_page": Permission.VIEW,
    "handlers.roadmap_view.on_set_deadline": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_period": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_document": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_photo": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_pasted_table": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_confirm": Permission.MANAGE,
    "handlers.roadmap_import.flow.on_cancel": Permission.MANAGE,
    "handlers.organisations.orgs_command": Permission.MANAGE,
    "handlers.organisations.adding.on_add": Permission.MANAGE,
    "handlers.organisations.adding.on_name": Permission.MANAGE,
    "handlers.organisations.adding.on_name_not_text": Permission.MANAGE,
    "handlers.organisations.adding.on_not_a_button": Permission.MANAGE,
    "handlers.organisations.adding.on_kind": Permission.MANAGE,
    "handlers.organisations.adding.on_parent": Permission.MANAGE,
    "handlers.organisations.adding.on_stale_button": Permission.MANAGE,
    "handlers.org_import.receiving.on_document": Permission.MANAGE,
    "handlers.org_import.receiving.on_file_expected": Permission.MANAGE,
    "handlers.org_import.buttons.on_not_a_button": Permission.MANAGE,
    "handlers.org_import.receiving.on_start": Permission.MANAGE,
    "handlers.org_import.buttons.on_parent": Permission.MANAGE,
    "handlers.org_import.buttons.on_confirm": Permission.MANAGE,
    "handlers.org_import.buttons.on_cancel": Permission.MANAGE,
    "handlers.org_import.buttons.on_stale": Permission.MANAGE,
    "handlers.tasks.tasks_command": Permission.STAFF,
    "handlers.tasks.flows.on_evidence": Permission.STAFF,
    "handlers.tasks.flows.on_postpone_date": Permission.STAFF,
    "handlers.tasks.flows.on_postpone_reason": Permission.STAFF,
    "handlers.tasks.flows.on_cannot_reason": Permission.STAFF,
    "handlers.tasks.flows.on_reject_reason": Permission.MANAGE,
    "handlers.tasks.buttons.on_list": Permission.STAFF,
    "handlers.tasks.buttons.on_history": Permission.STAFF,
    "handlers.tasks.buttons.on_open": Permission.STAFF,
    "handlers.tasks.buttons.on_show_evidence": Permission.STAFF,
    "handlers.tasks.unprompted.on_unprompted_file": Permission.ANYONE,
    "handlers.organisations.settings.on_setting": Permission.MANAGE,
    "handlers.organisations.settings.on_setting_for": Permission.MANAGE,
    "handlers.organisations.settings.on_schedule": Permission.MANAGE,
    "handlers.organisations.settings.on_new_name": Permission.MANAGE,
    "handlers.organisations.settings.on_report_cadence": Permission.MANAGE,
    "handlers.roadmap_import.organisation.on_choose": Permission.MANAGE,
    "handlers.roadmap_import.organisation.on_chosen": Permission.MANAGE,
    "handlers.bodies.on_ask": Permission.MANAGE,
    "handlers.bodies.on_toggle": Permission.MANAGE,
    "handlers.bodies.on_done": Permission.MANAGE,
    "handlers.bodies.on_cancel": Permission.MANAGE,
    "handlers.bodies.on_row": Permission.MANAGE,
    "handlers.roadmap_view.on_date_picked": Permission.MANAGE,
    "handlers.reports.report_command": Permission.VIEW,
    "handlers.reports.on_report": Permission.VIEW,
    "handlers.reports.on_days": Permission.VIEW,
    "handlers.tasks.unprompted.on_evidence_for": Permission.STAFF,
    "handlers.tasks.buttons.on_remind": Permission.STAFF,
    "handlers.tasks.buttons.on_done": Permission.STAFF,
    "handlers.tasks.buttons.on_no_evidence": Permission.STAFF,
    "handlers.tasks.buttons.on_attach": Permission.STAFF,
    "handlers.tasks.buttons.on_progress": Permission.STAFF,
    "handlers.tasks.buttons.on_undo": Permission.STAFF,
    "handlers.tasks.buttons.on_postpone": Permission.STAFF,
    "handlers.tasks.buttons.on_cannot": Permission.STAFF,
    "handlers.tasks.flows.on_decision": Permission.MANAGE,
    "handlers.status.status_command": Permission.VIEW,
    "handlers.tasks.flows.on_calendar": Permission.STAFF,
    "handlers.calendar.ignored_button": Permission.ANYONE,
    "handlers.fallback.unrecognised_message": Permission.ANYONE,
    "handlers.fallback.stale_button": Permission.ANYONE,
    "handlers.survey_manage.manage.surveys_command": Permission.MANAGE,
    "handlers.survey_manage.creating.on_definition_file": Permission.MANAGE,
    "handlers.survey_manage.creating.on_excel_file": Permission.MANAGE,
    "handlers.survey_manage.creating.on_file_expected": Permission.MANAGE,
    "handlers.survey_manage.creating.on_classes": Permission.MANAGE,
    "handlers.survey_manage.creating.on_classes_not_text": Permission.MANAGE,
    "handlers.survey_manage.manage.on_closing_date_text": Permission.MANAGE,
    "handlers.survey_manage.manage.on_survey_button": Permission.MANAGE,
    "handlers.survey_manage.creating.on_template": Permission.MANAGE,
    "handlers.survey_manage.manage.on_closing_day": Permission.MANAGE,
    "handlers.survey_post.group_survey_command": Permission.MANAGE,
    "handlers.survey_post.on_group_pick": Permission.MANAGE,
    "handlers.survey_results.results_command": Permission.MANAGE,
    "handlers.survey_results.on_results": Permission.MANAGE,
    "handlers.survey_results.texts.on_texts": Permission.MANAGE,
}

# Who passes each permission. Object checks (this organisation's person or roadmap) come on
# top, in the services, and are tested end to end with forged callback data.
OPEN = {Permission.ANYONE, Permission.RESPONDENT}
MATRIX: dict[str, set[Permission]] = {
    "admin": set(Permission),
    "coordinator": OPEN | {Permission.STAFF, Permission.VIEW, Permission.MANAGE},
    "sibling coordinator": OPEN | {Permission.STAFF, Permission.VIEW, Permission.MANAGE},
    "observer": OPEN | {Permission.STAFF, Permission.VIEW},
    "executor": OPEN | {Permission.STAFF},
    "switched-off coordinator": OPEN,
    "stranger": OPEN,
}


def _person(role: Role, organisation_id: int, active: bool = True) -> Person:
    return Person(
        id=1,
        organisation_id=organisation_id,
        full_name="Иванова А.А.",
        name_key="k",
        position=None,
        role=role,
        telegram_user_id=10,
        language_code="ru",
        is_reachable=True,
        is_active=active,
        is_admin=False,
        is_head=False,
        created_at=datetime.now(UTC),
    )


ACTORS = {
    "admin": Actor(10, None, is_admin=True),
    "coordinator": Actor(10, _person(Role.COORDINATOR, 1), is_admin=False),
    "sibling coordinator": Actor(10, _person(Role.COORDINATOR, 2), is_admin=False),
    "observer": Actor(10, _person(Role.OBSERVER, 1), is_admin=False),
    "executor": Actor(10, _person(Role.EXECUTOR, 1), is_admin=False),
    "switched-off coordinator": Actor(10, _person(Role.COORDINATOR, 1, False), is_admin=False),
    "stranger": Actor(10, None, is_admin=False),
}


def _registered() -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(router: Router) -> None:
        for observer in (router.message, router.callback_query):
            for handler in observer.handlers:
                name = f"{handler.callback.__module__}.{handler.callback.__qualname__}"
                found[name] = handler.flags.get("permission")
        for child in router.sub_routers:
            walk(child)

    for router in get_routers():
        walk(router)
    return found


def test_every_handler_declares_the_expected_permission() -> None:
    registered = _registered()
    assert {name: registered[name] for name in registered} == {
        name: EXPECTED[name] for name in registered if name in EXPECTED
    } | {name: "MISSING FROM EXPECTED" for name in registered if name not in EXPECTED}
    assert all(isinstance(value, Permission) for value in registered.values())


def test_the_table_has_no_stale_rows() -> None:
    assert set(EXPECTED) <= set(_registered())


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_matrix(who: str, name: str) -> None:
    permission = EXPECTED[name]
    assert allows(permission, ACTORS[who]) is (permission in MATRIX[who])
