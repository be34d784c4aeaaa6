"""Plumbing shared by every domain: database set-up, security headers, form fields, spreadsheets."""
