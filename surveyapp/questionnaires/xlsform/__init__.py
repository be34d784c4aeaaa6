"""XLSForm: reading workbooks, importing them as versions, exporting versions."""
