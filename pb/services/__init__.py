"""Use cases: the only layer that commits, and that broadcasts only after a commit."""

from pb.domain.errors import UserError


class ServiceError(UserError):
    """A request the service refuses, with a sentence saying what to do instead."""
