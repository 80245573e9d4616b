"""GraphQL object types, one module per domain, each with a `from_row` constructor."""
