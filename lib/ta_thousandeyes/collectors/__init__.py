"""One module per ThousandEyes data type; each exposes ``collect(ctx, ...)``."""
