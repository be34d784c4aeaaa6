"""Campaign outreach: the people the hub writes to (contacts), the mails it writes to
them in their language (invitations and reminders), who got what and who answered.

Mails are rows of the outbox (``surveyapp.mail.outbox.queue_mail``), written in the
same transaction as the decision to send them; delivery is the mail package's job.
``reminders.due_reminders(now)`` is what a periodic job calls.
"""
