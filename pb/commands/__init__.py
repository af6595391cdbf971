"""Click commands of the `pb` command line, gathered by `pb.cli`."""
