"""Consultations (意见征询): surveys and the opinion map."""
