"""The GraphQL face of Soundpost: the ASGI app, schema assembly and GraphQL types."""
