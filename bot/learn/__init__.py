"""The learned reader: its labelled corpus, training, the trained file at run time, and mixing with the lexicon."""


class ModelError(Exception):
    """The trained reader is missing, unreadable or does not match its data."""
