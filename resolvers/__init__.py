"""What each field means: plain async functions over the models, no GraphQL imports."""
