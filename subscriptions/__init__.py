"""Live events: the messages, the broker connection with its watchdog, and the per-process
hub that routes each event to the local subscribers it concerns. Imports none of the other
packages (the event log is handed to the hub); resolvers publish through it after their
transaction commits."""
