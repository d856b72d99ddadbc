"""Tiny helpers for building SQL safely: identifiers quoted, values always passed as parameters."""


def quote_ident(name: str) -> str:
    """Quote a DuckDB identifier (column or table name) so any user-supplied name is safe."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string literal, for the rare places DuckDB takes no parameter (e.g. COPY ... TO 'path')."""
    return "'" + str(value).replace("'", "''") + "'"
