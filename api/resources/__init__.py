"""One module per resource: wire types, mapping functions and the thin controller."""
