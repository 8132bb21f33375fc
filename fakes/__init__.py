"""Fake messengers shipped with the product: the Telegram Bot API server (:mod:`fakes.telegram`)
that the tests drive and the browser demo (:mod:`demo`) plays, and what fake servers share
(:mod:`fakes.watch`).  Nothing of the product but ``demo`` imports this package (a contract in
pyproject.toml)."""
