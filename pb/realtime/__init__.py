"""Socket.IO handlers only: each one parses a payload, calls a service, and acknowledges.

`handlers` serves the default namespace (watching rounds, proposals and the register; the
`vote` event), `live` the `/live` namespace of live sessions. Their decorators register them
with `pb.extensions.socketio` on import, which the app factory does before `init_app`. They
may import services, the broadcast catalogue (event names and acks), `pb.i18n` and domain
values; never `pb.web`, and never the database session.
"""
