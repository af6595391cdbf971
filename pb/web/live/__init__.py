"""Live sessions: set-up, the facilitator's console, the projector view and the phone page."""
