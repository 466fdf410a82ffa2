"""Interoperability at the edges: readers turn files into validated plain records, writers turn the
registry into files. Readers never write; they hand their records to the services of the apps."""
