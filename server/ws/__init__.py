"""The websocket transports: one module per protocol (transport_ws.py for
graphql-transport-ws, legacy_ws.py for graphql-ws), what both share (connection.py: admitting
a connection, the per-operation context), the socket (socket.py), the limits (limits.py), the
one timer for every connection's deadline and pings (heartbeat.py), and the take-over of
live subscriptions (takeover.py)."""
