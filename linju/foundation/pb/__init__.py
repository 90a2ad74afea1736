"""Participatory budgeting, computed with no database: Pabulib ``.pb`` files (``pbfile``), the
rules that choose the funded projects (``rules``) and the ``linju pb`` command (``cli``)."""
