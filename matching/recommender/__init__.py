"""The hybrid recommender of seed 002 §8.1.5: content (TF-IDF), collaborative (implicit feedback), popularity /
quality and the §7.2 compatibility, blended, diversity re-ranked and precomputed per student.

The models run on plain records and sparse arrays (`features`), so the offline evaluation's synthetic population
and the database go through the same code; `precompute` is the only module that reads the database.
"""
