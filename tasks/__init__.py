"""Pure task rules: deriving tasks from activities, statuses, undo, postponements."""
