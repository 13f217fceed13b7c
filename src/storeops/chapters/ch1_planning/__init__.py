"""The ch1_planning chapter: self-checks (questions) and widget of chapters/ch1_planning/."""
