"""Getting items in: fetching, decoding, parsing and normalising. Framework-free."""
