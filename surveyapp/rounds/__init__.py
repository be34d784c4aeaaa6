"""Rounds of the assessment: series of campaigns, items matched across them, and the
change in each domain's need, capacity and gap, with intervals."""
