"""The decision record: the public hash chain, its verification, downloads and feeds."""
