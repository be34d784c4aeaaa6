"""Files respondents upload as answers: what each question accepts (``kinds``), the
checks a file passes before anything is stored (``checks``: by content, never by
name), and where the bytes live (``storage``: a folder outside the database, named
by random keys). Knows no questionnaire or response: those packages call in."""
