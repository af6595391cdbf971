"""The event catalogue: every Socket.IO event's name, room and payload, and its throttles.

`events` builds and sends each event (services call it through `on_commit`, after their
commit); `throttle` keeps fast-changing counts to a few events a second. docs/realtime.md is
the public reference for third-party clients, and a test keeps it and the catalogue in step.
It may import `pb.extensions` (the Socket.IO server) and `pb.domain`; never models,
services, pages or handlers (a page-rendered fragment is handed in by the web layer).
"""
