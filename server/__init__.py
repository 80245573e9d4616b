"""The process: the ASGI app and its lifespan, the strawberry view, the HTTP wrappers and
websocket transports, settings and the command line. Nothing imports it."""
