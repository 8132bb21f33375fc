"""Pure reminder rules: which messages a task gets, on which local working morning."""
