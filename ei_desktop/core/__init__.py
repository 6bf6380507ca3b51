"""The client core: formats, backends and the drop-in data functions. Never imports Qt."""
