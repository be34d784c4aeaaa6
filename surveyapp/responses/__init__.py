"""Responses: the respondent's use cases, the reads of a respondent page, exports."""
