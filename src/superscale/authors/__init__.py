"""The authors' paper as published: its figures read into reference values (digitize/), and our
results set against its values and claims (reproduction). The pipeline runs the reproduction;
the digitiser is an offline tool whose output, data/authors_figures.csv, is committed."""
