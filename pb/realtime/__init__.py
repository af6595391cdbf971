"""Socket.IO handlers only: each one parses a payload, calls a service, and acknowledges.

`handlers` serves the default namespace (watching rounds, proposals and the register; the
`vote` event), `live` the `/live` namespace of live sessions. Their decorators register them
with `pb.extensions.socketio` on import, which the app factory does before `init_app`. They
may import services, the broadcast catalogue (event names and acks), `pb.i18n` and domain
values; never `pb.web`, and never the database session. This module holds the limits of the
transport underneath (message size, events per long-polling request), which the app factory
puts in place with `limit_engine()`.
"""

from __future__ import annotations

import logging
from typing import Any

from engineio import packet as engine_packet
from engineio import payload as engine_payload
from socketio import packet as socket_packet

# A message (one Socket.IO event, or one long-polling request of several) the server reads at
# most; a larger one closes the connection before it is read (Engine.IO's own refusal). Under
# it, a `/live` event over `live.MAX_PAYLOAD` characters gets an error ack instead.
MAX_MESSAGE_BYTES = 2_000_000
# Events one long-polling request may carry. Engine.IO's default, 16, lost the rest of a
# burst without a word (it answered 200); this is far more than the rate limit lets through
# (see `live.BURST`), so a burst reaches the handlers and the excess gets rate-limit acks.
MAX_POLL_PACKETS = 500


class Payload(engine_payload.Payload):
    """Engine.IO's polling payload, taking MAX_POLL_PACKETS events, and closing the
    connection on a request with more (Engine.IO answered 200 and dropped them all, without
    a word; refusing with an error would leave the request waiting for a poll that never
    comes). The client sees its connection close, and reconnects."""

    max_decode_packets = MAX_POLL_PACKETS

    def decode(self, encoded_payload: Any) -> None:
        try:
            super().decode(encoded_payload)
        except ValueError as error:
            if "Too many packets" not in str(error):
                raise
            logging.getLogger("pb.realtime").warning(
                "closing a connection that sent more than %d events in one request",
                MAX_POLL_PACKETS)
            self.packets = [engine_packet.Packet(engine_packet.CLOSE)]


# The name an event takes when its JSON cannot be read (a number of more than 100 digits,
# which Socket.IO refuses to parse, or broken JSON): the catch-all handlers answer it.
UNREADABLE = "(unreadable)"


class Packet(socket_packet.Packet):
    """Socket.IO's packet, except that an event asking for an ack whose JSON cannot be read
    becomes the event UNREADABLE, which gets an error ack (rather than being dropped with a
    traceback in the log)."""

    def decode(self, encoded_packet: Any) -> int:
        try:
            return int(super().decode(encoded_packet) or 0)
        except ValueError:
            if self.packet_type != socket_packet.EVENT or self.id is None:
                raise
            self.data = [UNREADABLE]
            return 0


def limit_engine() -> dict[str, Any]:
    """Put this module's limits in place; return the Socket.IO server's options for them."""
    engine_payload.Payload = Payload  # type: ignore[misc]  # Engine.IO builds it by name
    return {"max_http_buffer_size": MAX_MESSAGE_BYTES, "serializer": Packet}
