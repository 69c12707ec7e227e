"""Sentences the assistant says in its own voice, kept here so they can be reviewed and tested."""

# Said instead of an answer when the articles do not hold one; plain, so a reader never mistakes it for a fact.
REFUSAL = "The articles I have do not answer this question."
