"""The `pb` command's subcommands: `app_commands` (those that need the app and its database,
added to `app.cli` by the factory) and `tally` (counting a pabulib file, which loads no
Flask so that it stays fast). They may import services, models, the demo and the server;
nothing in pb imports them but the app factory and `pb.cli`.
"""
