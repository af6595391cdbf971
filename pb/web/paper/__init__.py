"""Paper pages for officers."""
