"""Train an extractor from a gold version (``eventgold train``) and use it as one (``-e model:FOLDER``).

:func:`eventgold.training.api.train` is the entry point; :class:`eventgold.training.model.TrainedModel`
loads a model folder. spaCy (the ``spacy`` extra) is imported only when a model is trained or loaded.
"""
