"""Owners' joint decisions (Civil Code Art. 278), residents' votes and owners' committee
elections: the roll, ballots online, on paper and by proxy, the tally and its public record."""
