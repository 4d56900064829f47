"""Parcours: the integration pathway platform of OFII directorates and their partners."""
