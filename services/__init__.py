"""Application services: the rules handlers, jobs and the CLI share. No aiogram here."""
