"""Code that runs once to build things, never on a document: the synthetic
corpus (``synth``), the NER corpus and trainer (``ner_corpus``, ``ner_train``),
the activity classifier experiment (``activity_train``), the spaCy trainer they
share (``spacy_train``) and their commands (``commands``). Runtime modules
never import from here."""
