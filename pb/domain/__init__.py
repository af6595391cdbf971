"""Pure domain code: values in, values out; no Flask, no SQLAlchemy, no I/O."""
