"""The community foundation: grant programmes, applications and participatory budgeting."""
