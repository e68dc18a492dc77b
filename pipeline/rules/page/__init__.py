"""Page rules: blocks cut from the parsed page before extraction (engine), one module a family."""
