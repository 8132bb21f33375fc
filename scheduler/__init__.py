"""APScheduler set-up, the jobs it runs, and (later) the outbox sender."""
