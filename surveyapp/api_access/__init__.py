"""The read-only API's access: personal access tokens (``tokens``), what each scope
and role may read (``grants``), and the API's data as plain values (``resources``,
``freshness``)."""
