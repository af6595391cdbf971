"""A small client of pb's live sessions in Python: a projector screen and a phone.

    pip install "python-socketio[client]"
    python live_client.py http://localhost:5000 ABC234

It joins the session with code ABC234 as a projector screen (no login needed) and as a
phone, scores the pitch open for scoring with 8, and prints each answer as a line of JSON:
the screen's join, the phone's join, the vote's acknowledgement (with its receipt), and the
first tally that counts the vote. It applies the session's events as docs/realtime.md says:
drop any event whose `seq` is not larger than the last one applied. The protocol is in
docs/live.md.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
from typing import Any

import engineio
import socketio

LIVE = "/live"
# Over long polling, python-engineio reads at most 16 events from one answer unless told
# more, and a busy session can send more between two polls.
engineio.payload.Payload.max_decode_packets = 500


def say(what: str, value: Any) -> None:
    print(json.dumps({what: value}, sort_keys=True), flush=True)


def main(url: str, code: str, score: int = 8) -> int:
    last_seq = 0  # of the events this screen has applied
    lock = threading.Lock()
    counted = threading.Event()
    pitch: str | None = None

    def newer(payload: dict[str, Any]) -> bool:
        """Apply the one ordering rule: only an event with a larger `seq` is newer."""
        nonlocal last_seq
        with lock:
            if payload["seq"] <= last_seq:
                return False
            last_seq = payload["seq"]
            return True

    def on_tally(tally: dict[str, Any]) -> None:
        if newer(tally) and pitch is not None and tally["scored"].get(pitch, 0) > 0:
            say("tally", {"scored": tally["scored"][pitch], "paper": tally["paper"]})
            counted.set()

    screen = socketio.Client()
    screen.on("tally", on_tally, namespace=LIVE)
    screen.on("state", newer, namespace=LIVE)
    screen.connect(url, namespaces=[LIVE])
    shown = screen.call("join", {"code": code, "role": "screen"}, namespace=LIVE, timeout=10)
    if not shown["ok"]:
        say("screen", shown)
        return 1
    state = shown["state"]
    newer(state)  # a join's snapshot is where a client starts
    say("screen", {"ok": True, "phase": state["phase"], "scoring": state["scoring"]})

    phone = socketio.Client()
    phone.connect(url, namespaces=[LIVE])
    joined = phone.call("join", {"code": code}, namespace=LIVE, timeout=10)
    say("phone", {"ok": joined["ok"], "participant": "participant" in joined})
    if not joined["ok"] or joined["state"]["current"] is None:
        return 1
    pitch = str(joined["state"]["current"]["proposal"])
    # A fresh key per score; sending the same key again gets the same answer.
    ack = phone.call("vote", {"key": secrets.token_hex(12), "items": {pitch: score}},
                     namespace=LIVE, timeout=10)
    say("vote", ack)
    seen = counted.wait(10)
    phone.disconnect()
    screen.disconnect()
    return 0 if ack["ok"] and seen else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
