"""Entry point and assembly of roadmap-bot: settings, Bot, Dispatcher, scheduler, CLI."""
