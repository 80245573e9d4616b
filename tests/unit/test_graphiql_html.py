"""GraphiQL's page (server/http/graphiql.py) as text: what it is given stays data."""

from __future__ import annotations

from server.http.graphiql import graphiql_html


def test_endpoint_cannot_break_out_of_the_script() -> None:
    page = graphiql_html("/graphql</script><script>alert(1)//")

    assert "</script><script>alert(1)" not in page
