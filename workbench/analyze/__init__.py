"""Analysis: time, trends, topics, networks, coordination, images; DataFrames, charts and graphs."""
