"""Questionnaires: versions, texts per language, rules, editing, page forms, XLSForm, .po."""
