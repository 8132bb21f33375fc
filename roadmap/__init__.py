"""Pure roadmap parsing: readers, deadlines, responsible people. No Telegram, no SQL."""
