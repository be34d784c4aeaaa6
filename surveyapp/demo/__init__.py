"""Demo data: a campaign with generated responses, to look at and to benchmark."""
