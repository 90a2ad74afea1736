"""Residents' ideas for their building, support, comments (on ideas and on projects), their
moderation, merging duplicates, and the topic list of a project."""
