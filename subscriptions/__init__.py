"""Live events: the messages, the broker connection with its watchdog, and the per-process
hub that routes each event to the local subscribers it concerns. Imports no GraphQL and no
resolvers; resolvers publish through it after their transaction commits."""
