"""What runs a trained model: the NER tagger (``ner``, model in ``trained/``),
the spaCy component (``spacy_facts``), the jieba set-up both use
(``tokenizer``) and person-name pseudonyms (``redact``). Training code is in
``pipeline.train``; nothing here imports it."""
