"""Budget rounds: the public list and pages, and the officers' forms."""
