"""The CLI verbs, one module per area; ``eventgold.cli`` registers them."""
