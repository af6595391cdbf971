"""Discussion of proposals: threaded comments with a stance, flags and public moderation."""
