"""The opinion map in the product: discussions, residents' statements and votes, and the map
of groups computed from them (:mod:`linju.consultations.opinion.compute`)."""
