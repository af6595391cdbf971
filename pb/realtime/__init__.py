"""Everything Socket.IO: the event catalogue, the handlers, and broadcasting."""
