"""Hand-written SQL for the hot paths: parameters (`params`), rows made into model
instances (`hydrate`, the one module that touches tortoise's internals), and the batch
statements behind the loaders (`batches`, `comments`)."""
