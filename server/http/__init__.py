"""One small ASGI wrapper or endpoint per concern: security headers, the body limit, health,
the GraphiQL page and its assets."""
