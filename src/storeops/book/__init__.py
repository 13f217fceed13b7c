"""The book side of exercises: self-learner pages generated from exercise sources."""
