"""Build: the pipeline over the stages, what a build reads, the cache and the writer."""
