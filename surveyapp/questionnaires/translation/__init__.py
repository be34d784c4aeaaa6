"""Questionnaire texts as .po catalogs for translators, and the translation status."""
