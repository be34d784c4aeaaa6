"""Use cases of the questionnaire editor, one module per job:

- :mod:`.version_edits`: questionnaires and versions (create, copy, duplicate, publish);
- :mod:`.structure`: pages, questions and choices of a draft;
- :mod:`.text_edits`: source texts and the side-by-side text table;
- :mod:`.conditions`: skip rules as conditions (the editor's builder) and back;
- :mod:`.errors`: :class:`~.errors.EditError` and the shared checks.
"""
