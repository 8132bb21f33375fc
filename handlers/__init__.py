"""aiogram routers, one module per feature, in the order the dispatcher tries them."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    bodies,
    calendar,
    errors,
    fallback,
    invites,
    messenger,
    org_import,
    organisations,
    people,
    personal_data,
    privacy,
    reports,
    roadmap_import,
    roadmap_view,
    start,
    status,
    survey_answering,
    survey_manage,
    survey_post,
    survey_results,
    tasks,
)


def get_routers() -> list[Router]:
    """Fresh routers on every call, so each assembled dispatcher owns its own."""
    # The fallback goes last: it answers whatever no feature took.
    return [
        errors.create_router(),
        invites.create_router(),
        survey_answering.create_router(),
        start.create_router(),
        privacy.create_router(),
        people.create_router(),
        personal_data.create_router(),
        messenger.create_router(),
        organisations.create_router(),
        tasks.create_router(),
        status.create_router(),
        reports.create_router(),
        roadmap_view.create_router(),
        bodies.create_router(),
        # Before the roadmap importer: a survey file sent while one is awaited is a survey.
        survey_manage.create_router(),
        survey_post.create_router(),
        survey_results.create_router(),
        # Before the roadmap importer: a file whose header names schools and heads is a list.
        org_import.create_router(),
        roadmap_import.create_router(),
        calendar.create_router(),
        fallback.create_router(),
    ]
