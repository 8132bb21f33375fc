"""`roadmap-bot demo`: the real bot against an embedded fake Telegram, played in a browser.

:mod:`demo.world` starts the fake messenger, the application and the seed data (its own SQLite
file under DATA_DIR/demo); :mod:`demo.web` serves the page with three phones and its JSON API."""
