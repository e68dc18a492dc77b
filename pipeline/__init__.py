"""newsclean: news pages to clean article text, every removal explained by a named rule."""
