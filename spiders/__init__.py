"""Scrapy spiders: `article` fetches the URLs it is given, `news` discovers a site's articles."""
