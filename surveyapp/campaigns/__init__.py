"""Campaigns: a round of data collection, its invitations, open links and roles."""
