"""Languages: the registry, negotiation, catalogs, transliteration and catalog checks."""
