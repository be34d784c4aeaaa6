"""The audit log as staff read it: entries with the people and things they concern
named in the reader's language (campaigns, questionnaire versions, accounts,
responses, places), found in bulk (``names``) and told in words (``entries``).

Recording and filtering the entries is ``surveyapp.accounts.audit_log``'s job.
"""
