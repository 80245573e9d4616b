"""Live subscriptions: the subscription fields, and the shared execution of their events.

One event, from commit to socket:
1. A mutation commits, then publishes a small message to the process's hub
   (resolvers/ -> subscriptions/hub.py), which also tells the other processes (broker.py).
2. The hub finds the local listeners it concerns (a feed event: the author's followers, one
   query) and offers it to each one's bounded queue (hub.py, `Listener`).
3. A live subscription's listener pushes it to its `LiveOp` (server/ws/takeover.py), which
   asks its `LiveSubscription` (handoff.py) for the payload.
4. The subscription makes the event's root value once for every subscriber (fields.py), then
   takes the result another subscriber of its selection made, or executes the selection on a
   copy of the selection's executor (sharing.py): once per event, and once per viewer only
   when the selection read the viewer.
5. A shared result is serialized once; the transport puts it in each subscriber's `next`
   (or `data`) message with `frame()` (server/ws/socket.py) and writes it to the socket.
"""
