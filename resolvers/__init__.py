"""What each field means: plain async functions over the models (SQL, rules, the event log),
no GraphQL imports."""
