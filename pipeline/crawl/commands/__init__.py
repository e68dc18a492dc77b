"""Scrapy commands of the project (COMMANDS_MODULE): `scrapy crawl` with the exit status of
`newsclean crawl` when the crawl is stopped by its frontier."""
