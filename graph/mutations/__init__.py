"""Mutations per domain: `<Name>Input`, `<Name>Payload` and the resolver that maps them
onto `resolvers/`. Expected failures come back as `errors`, with nothing written."""

import strawberry

INPUT = strawberry.argument(description="All of this mutation's arguments.")
