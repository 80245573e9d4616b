"""Black-box GraphQL over HTTP against the ASGI app."""
