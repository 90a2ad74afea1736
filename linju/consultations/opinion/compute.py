"""The opinion map: where participants stand, which groups they form, what each group stands
for and what every group agrees on.

The method is Polis's (Small et al., "Polis: Scaling deliberation by mapping high dimensional
opinion spaces", 2021, and the ``polismath`` code), in the plain form below:

1. The participant × statement matrix of votes (agree 1, disagree -1, pass 0). A missing vote is
   filled with the statement's mean over the votes cast on it (passes count as 0).
2. PCA to two dimensions: the columns are centred and the statement × statement covariance is
   eigen-decomposed; each participant's position is their row projected on the first two
   components (each component's sign is fixed so that its largest entry is positive). Every
   participant gets a position; Polis's extra scaling of sparse voters is not applied.
3. Only participants with at least ``min(7, number of statements)`` votes (passes count) are
   grouped; with fewer than 15 of them there is no map. k-means groups their positions for
   each k from 2 to 5 (k-means++ seeding, 10 restarts, Lloyd's iterations until no label
   changes or the centres move by less than 1e-4 of the positions' variance, the lowest
   within-group sum of squares kept; the random generator is seeded, so a result is
   reproducible) and the k with the best
   mean silhouette is kept (the smaller k on a tie; above 2,500 participants the silhouette
   is averaged over a fixed random sample of 2,500 of them, against everyone). If every
   grouped participant stands at the same point there is nothing to separate, and they form
   one group.
4. For each group and statement, Polis's "repness": the in-group probability of agreeing
   ``pa = (na + 1) / (ns + 2)`` (``ns`` counts passes as votes), its ratio to the same
   probability among everyone else grouped, ``ra = pa / pa_rest``, a one-proportion z-test of
   ``pa`` against 1/2 and a two-proportion z-test of the group against the rest (Polis's
   ``prop-test`` and ``two-prop-test``, with their +1 pseudo-counts); the same for disagreeing.
   A statement is representative of a group when both tests pass at 90% confidence
   (z > 1.2816) in one direction; the representative statements are ordered by ``ra · pa``
   (or ``rd · pd``), best first.
5. Consensus: the statements whose agree probability is above 1/2 and significantly so
   (one-proportion z > 1.2816) in every group, ordered by the product of the groups' agree
   probabilities (Polis's group-aware consensus), highest first. ``consensus_disagree``
   lists the statements every group rejects, in the same way.

Group ids run from 0 by size, largest first (a tie goes to the group whose first member comes
first). Ids are ordered as :mod:`linju.consultations.opinion.votes` describes, so the same votes
always give the same map, whatever the order of the lines.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from linju.consultations.opinion.votes import VoteTable, table_from_votes


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django: the web side translates it."""
    return message


MIN_PARTICIPANTS = 15
MIN_VOTES = 7
GROUP_COUNTS = range(2, 6)
Z_90 = 1.2815515655446004  # one-sided 90% quantile of the standard normal distribution
KMEANS_RESTARTS = 10
KMEANS_MAX_ITERATIONS = 300
# Centres moving less than this share of the positions' variance have settled (as scikit-learn).
KMEANS_TOLERANCE = 1e-4
# The silhouette of more participants than this is estimated on a fixed random sample of them.
SILHOUETTE_SAMPLE = 2_500
# Positions distinct at this fraction of the map's extent are distinct points.
SAME_POINT = 1e-9
DECIMALS = 6

TOO_FEW_PARTICIPANTS = gettext_noop(
    "The opinion map appears once at least 15 participants have each voted on enough statements."
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Representative:
    """Why a statement represents a group: its direction and Polis's repness figures."""

    statement: str
    direction: str  # "agree" or "disagree"
    votes: int  # the group's votes on it, passes included
    count: int  # of which in this direction
    probability: float  # (count + 1) / (votes + 2)
    probability_rest: float  # the same among the other groups
    ratio: float  # probability / probability_rest
    z_probability: float
    z_ratio: float

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "direction": self.direction,
            "votes": self.votes,
            "count": self.count,
            "probability": _rounded(self.probability),
            "probability_rest": _rounded(self.probability_rest),
            "ratio": _rounded(self.ratio),
            "z_probability": _rounded(self.z_probability),
            "z_ratio": _rounded(self.z_ratio),
        }


@dataclass(frozen=True)
class Group:
    id: int
    members: tuple[str, ...]
    centre: tuple[float, float]
    representative: tuple[Representative, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": len(self.members),
            "members": list(self.members),
            "centre": [_rounded(value) for value in self.centre],
            "representative": [item.statement for item in self.representative],
            "representative_detail": [item.to_json() for item in self.representative],
        }


@dataclass(frozen=True)
class Consensus:
    """A statement every group agrees (or disagrees) with, and each group's probability."""

    statement: str
    direction: str
    probabilities: tuple[float, ...]  # one per group, in group order

    @property
    def group_aware(self) -> float:
        return math.prod(self.probabilities)

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "direction": self.direction,
            "probabilities": [_rounded(value) for value in self.probabilities],
            "group_aware": _rounded(self.group_aware),
        }


@dataclass(frozen=True, slots=True)
class Position:
    """Where a participant stands (rounded to 6 decimals) and their group."""

    x: float
    y: float
    group: int | None  # None: too few votes to be grouped
    votes: int

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "x": self.x, "y": self.y}


@dataclass(frozen=True)
class OpinionMap:
    """The result. ``message`` is set (and there are no groups) when there is no map yet."""

    participants: int
    grouped: int
    statements: int
    votes: int
    min_votes: int
    groups: tuple[Group, ...] = ()
    consensus: tuple[Consensus, ...] = ()
    consensus_disagree: tuple[Consensus, ...] = ()
    positions: dict[str, Position] = field(default_factory=dict)
    silhouettes: dict[int, float] = field(default_factory=dict)
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The map as a JSON-ready dict (``json.dumps`` takes it as it is)."""
        if self.message is not None:
            return {"groups": [], "consensus": [], "message": self.message}
        return {
            "groups": [group.to_json() for group in self.groups],
            "consensus": [item.statement for item in self.consensus],
            "consensus_detail": [item.to_json() for item in self.consensus],
            "consensus_disagree": [item.statement for item in self.consensus_disagree],
            "participants": {
                participant: position.to_json() for participant, position in self.positions.items()
            },
            "summary": {
                "participants": self.participants,
                "grouped": self.grouped,
                "statements": self.statements,
                "votes": self.votes,
                "min_votes": self.min_votes,
                "k": len(self.groups),
                "silhouettes": {str(k): _rounded(score) for k, score in self.silhouettes.items()},
            },
        }


def opinion_map(votes: Iterable[tuple[str, str, int]] | VoteTable, *, seed: int = 0) -> OpinionMap:
    """The opinion map of these votes: ``(participant id, statement id, vote)`` with vote 1
    (agree), -1 (disagree) or 0 (pass), in the order cast (a repeated pair keeps the later
    vote), or a :class:`VoteTable` read from a file.

    The same votes and seed always give the same map. Raises ``VotesError`` for a bad vote.
    """
    table = votes if isinstance(votes, VoteTable) else table_from_votes(votes)
    participant_count, statement_count = len(table.participants), len(table.statements)
    vote_counts = np.bincount(table.rows, minlength=participant_count)
    min_votes = min(MIN_VOTES, statement_count)
    grouped = np.flatnonzero(vote_counts >= max(min_votes, 1))
    too_few = OpinionMap(
        participants=participant_count,
        grouped=len(grouped),
        statements=statement_count,
        votes=len(table),
        min_votes=min_votes,
        message=TOO_FEW_PARTICIPANTS,
    )
    if len(grouped) < MIN_PARTICIPANTS:
        return too_few

    centred = _centred_matrix(table)
    points = _pca_positions(centred)
    labels, silhouettes = _groups(points[grouped], seed=seed)
    group_count = int(labels.max()) + 1
    group_of = np.full(participant_count, -1, dtype=np.int64)
    group_of[grouped] = labels
    statistics = _statement_statistics(table, group_of, group_count)
    groups = tuple(
        Group(
            id=group,
            members=tuple(table.participants[row] for row in grouped[labels == group].tolist()),
            centre=(
                float(points[grouped[labels == group], 0].mean()),
                float(points[grouped[labels == group], 1].mean()),
            ),
            representative=_representative(statistics, group, table.statements)
            if group_count > 1
            else (),
        )
        for group in range(group_count)
    )
    rounded = np.round(points, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    positions = {
        participant: Position(x, y, None if group < 0 else group, count)
        for participant, x, y, group, count in zip(
            table.participants,
            rounded[:, 0].tolist(),
            rounded[:, 1].tolist(),
            group_of.tolist(),
            vote_counts.tolist(),
            strict=True,
        )
    }
    return dataclasses.replace(
        too_few,
        message=None,
        groups=groups,
        consensus=_consensus(statistics, "agree", table.statements),
        consensus_disagree=_consensus(statistics, "disagree", table.statements),
        positions=positions,
        silhouettes=silhouettes,
    )


# --- Positions ---------------------------------------------------------------------------------


def _centred_matrix(table: VoteTable) -> FloatArray:
    """Votes minus their statement's mean; a missing vote, filled with the mean, becomes 0."""
    shape = (len(table.participants), len(table.statements))
    totals = np.bincount(table.cols, weights=table.values, minlength=shape[1])
    cast = np.bincount(table.cols, minlength=shape[1])
    means = totals / np.maximum(cast, 1)
    centred = np.zeros(shape)
    centred[table.rows, table.cols] = table.values - means[table.cols]
    return centred


def _pca_positions(centred: FloatArray) -> FloatArray:
    """Each row projected on the first two principal components (zeros where there are none)."""
    covariance = centred.T @ centred / max(len(centred) - 1, 1)
    _eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    components = eigenvectors[:, ::-1][:, :2]  # eigh sorts eigenvalues in ascending order
    largest = np.argmax(np.abs(components), axis=0)
    components = components * np.sign(components[largest, np.arange(components.shape[1])])
    points = np.zeros((len(centred), 2))
    points[:, : components.shape[1]] = centred @ components
    return points


# --- Groups ------------------------------------------------------------------------------------


def _groups(points: FloatArray, *, seed: int) -> tuple[IntArray, dict[int, float]]:
    """Group labels 0.. (largest group first) and the silhouette of each k tried."""
    extent = float(np.abs(points).max())
    distinct = 0 if extent == 0 else len(np.unique(np.round(points / extent / SAME_POINT), axis=0))
    candidates = [k for k in GROUP_COUNTS if k <= distinct]
    if not candidates:
        return np.zeros(len(points), dtype=np.int64), {}
    labelings = {k: _kmeans(points, k, np.random.default_rng([seed, k])) for k in candidates}
    silhouettes = _silhouettes(points, labelings, np.random.default_rng([seed, 0]))
    best = max(candidates, key=lambda k: (silhouettes[k], -k))
    return _ordered(labelings[best]), silhouettes


def _ordered(labels: IntArray) -> IntArray:
    """Relabel groups by size (largest first), a tie going to the group met first."""
    group_count = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=group_count)
    first_member = np.full(group_count, len(labels))
    np.minimum.at(first_member, labels, np.arange(len(labels)))
    order = sorted(range(group_count), key=lambda group: (-sizes[group], first_member[group]))
    new_label = np.empty(group_count, dtype=np.int64)
    new_label[order] = np.arange(group_count)
    return new_label[labels]


def _kmeans(points: FloatArray, k: int, random: np.random.Generator) -> IntArray:
    """The labels of the best of several k-means++ starts (lowest within-group sum of squares;
    the first on a tie)."""
    labels, inertia = _lloyd(points, _kmeans_plus_plus(points, k, KMEANS_RESTARTS, random))
    best: IntArray = labels[int(np.argmin(inertia))]
    return best


def _kmeans_plus_plus(
    points: FloatArray, k: int, restarts: int, random: np.random.Generator
) -> FloatArray:
    """Arthur and Vassilvitskii's seeding, for every restart at once (restarts × k × 2): each
    next centre is a point drawn with probability proportional to its squared distance to the
    nearest centre already chosen."""
    count = len(points)
    chosen = [random.integers(count, size=restarts)]
    nearest = ((points[None, :, :] - points[chosen[0]][:, None, :]) ** 2).sum(axis=2)
    for _ in range(1, k):
        cumulative = np.cumsum(nearest, axis=1)
        targets = random.random(restarts) * cumulative[:, -1]
        drawn = np.minimum((cumulative <= targets[:, None]).sum(axis=1), count - 1)
        anywhere = random.integers(count, size=restarts)  # if every point is a centre already
        index = np.where(cumulative[:, -1] > 0, drawn, anywhere)
        chosen.append(index)
        distances = ((points[None, :, :] - points[index][:, None, :]) ** 2).sum(axis=2)
        nearest = np.minimum(nearest, distances)
    seeds: FloatArray = points[np.stack(chosen, axis=1)]
    return seeds


def _lloyd(points: FloatArray, centres: FloatArray) -> tuple[IntArray, FloatArray]:
    """Lloyd's iterations, for all the restarts at once (``centres`` is restarts × k × 2),
    until no label changes or no centre moves by more than the tolerance; no group is ever left
    empty. Returns each restart's labels and within-group sum of squares."""
    restarts, k = centres.shape[:2]
    count = len(points)
    offsets = np.arange(restarts) * k
    repeated_x = np.repeat(points[:, 0], restarts)
    repeated_y = np.repeat(points[:, 1], restarts)
    labels: IntArray = np.full((count, restarts), -1, dtype=np.int64)  # points × restarts
    tolerance = KMEANS_TOLERANCE * float(points.var(axis=0).mean())
    for _iteration in range(KMEANS_MAX_ITERATIONS):
        # The nearest centre minimises |c|² - 2 p·c: one matrix product for every restart.
        flat = centres.reshape(restarts * k, 2)
        scores = points @ (-2.0 * flat.T) + (flat**2).sum(axis=1)
        new_labels = scores.reshape(count, restarts, k).argmin(axis=2)
        sizes = np.bincount((new_labels + offsets).ravel(), minlength=restarts * k)
        sizes = sizes.reshape(restarts, k)
        for restart, empty in zip(*np.nonzero(sizes == 0), strict=True):
            # The point farthest from its centre, taken from a group that can spare it.
            own = new_labels[:, restart]
            spread = ((points - centres[restart, own]) ** 2).sum(axis=1)
            spread[sizes[restart, own] <= 1] = -1.0
            farthest = int(spread.argmax())
            sizes[restart, own[farthest]] -= 1
            new_labels[farthest, restart] = empty
            sizes[restart, empty] = 1
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        cells = (labels + offsets).ravel()
        total_x = np.bincount(cells, weights=repeated_x, minlength=restarts * k)
        total_y = np.bincount(cells, weights=repeated_y, minlength=restarts * k)
        totals = np.stack((total_x.reshape(restarts, k), total_y.reshape(restarts, k)), axis=2)
        moved: FloatArray = totals / sizes[:, :, None]
        shift = ((moved - centres) ** 2).sum(axis=(1, 2))
        centres = moved
        if np.all(shift <= tolerance):
            break  # the centres have settled; a few boundary points may still swap
    by_restart: IntArray = labels.T.copy()
    inertia: FloatArray = np.array(
        [((points - centres[r, by_restart[r]]) ** 2).sum() for r in range(restarts)]
    )
    return by_restart, inertia


def _silhouettes(
    points: FloatArray, labelings: dict[int, IntArray], random: np.random.Generator
) -> dict[int, float]:
    """The mean silhouette (Rousseeuw 1987) of each labelling, all computed in one pass over
    the distances, a small block of rows at a time (it stays in the processor's cache). The
    distances are single precision: ample for comparing silhouettes, and twice as fast."""
    count = len(points)
    if count > SILHOUETTE_SAMPLE:
        sample = np.sort(random.choice(count, SILHOUETTE_SAMPLE, replace=False))
    else:
        sample = np.arange(count)
    ks = list(labelings)
    offsets = np.cumsum([0, *ks])
    membership = np.zeros((count, int(offsets[-1])), dtype=np.float32)
    for k, offset in zip(ks, offsets.tolist(), strict=False):
        membership[np.arange(count), offset + labelings[k]] = 1.0
    single = points.astype(np.float32)
    sums = np.empty((len(sample), membership.shape[1]))
    block = max(1, 65_536 // count)
    for start in range(0, len(sample), block):
        rows = sample[start : start + block]
        distances = np.subtract.outer(single[rows, 0], single[:, 0])
        distances *= distances
        across = np.subtract.outer(single[rows, 1], single[:, 1])
        across *= across
        distances += across
        np.sqrt(distances, out=distances)
        sums[start : start + block] = distances @ membership
    scores: dict[int, float] = {}
    within = np.arange(len(sample))
    for k, offset in zip(ks, offsets.tolist(), strict=False):
        labels = labelings[k][sample]
        sizes = np.bincount(labelings[k], minlength=k).astype(np.float64)
        totals = sums[:, offset : offset + k]
        own_size = sizes[labels]
        with np.errstate(divide="ignore", invalid="ignore"):
            inside = totals[within, labels] / (own_size - 1)
            means = totals / sizes
        means[within, labels] = np.inf
        outside = means.min(axis=1)
        largest = np.maximum(inside, outside)
        with np.errstate(divide="ignore", invalid="ignore"):
            silhouette = np.where((own_size > 1) & (largest > 0), (outside - inside) / largest, 0.0)
        scores[k] = float(silhouette.mean())
    return scores


# --- Statements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Statistics:
    """Per group (rows) and statement (columns): votes, and agree/disagree figures."""

    votes: IntArray
    count: dict[str, IntArray]
    probability: dict[str, FloatArray]
    probability_rest: dict[str, FloatArray]
    z_probability: dict[str, FloatArray]
    z_ratio: dict[str, FloatArray]


def _statement_statistics(table: VoteTable, group_of: IntArray, group_count: int) -> _Statistics:
    statement_count = len(table.statements)
    group = group_of[table.rows]
    counted = group >= 0
    cells = group[counted] * statement_count + table.cols[counted]
    values = table.values[counted]
    size = group_count * statement_count

    def tally(selected: npt.NDArray[np.bool_] | None) -> IntArray:
        chosen = cells if selected is None else cells[selected]
        return np.bincount(chosen, minlength=size).reshape(group_count, statement_count)

    votes = tally(None)
    votes_rest = votes.sum(axis=0) - votes
    count, probability, probability_rest, z_probability, z_ratio = {}, {}, {}, {}, {}
    for direction, value in (("agree", 1), ("disagree", -1)):
        successes = tally(values == value)
        successes_rest = successes.sum(axis=0) - successes
        count[direction] = successes
        probability[direction] = (successes + 1) / (votes + 2)
        probability_rest[direction] = (successes_rest + 1) / (votes_rest + 2)
        z_probability[direction] = _proportion_test(successes, votes)
        z_ratio[direction] = _two_proportion_test(successes, successes_rest, votes, votes_rest)
    return _Statistics(votes, count, probability, probability_rest, z_probability, z_ratio)


def _proportion_test(successes: IntArray, trials: IntArray) -> FloatArray:
    """Polis's one-proportion z-test of p against 1/2, with a pseudo-count of 1."""
    successes_, trials_ = successes + 1, trials + 1
    result: FloatArray = 2 * np.sqrt(trials_) * (successes_ / trials_ - 0.5)
    return result


def _two_proportion_test(
    successes_in: IntArray, successes_out: IntArray, trials_in: IntArray, trials_out: IntArray
) -> FloatArray:
    """Polis's two-proportion z-test (group against the rest), with pseudo-counts of 1."""
    successes_in, successes_out = successes_in + 1, successes_out + 1
    trials_in, trials_out = trials_in + 1, trials_out + 1
    pooled = (successes_in + successes_out) / (trials_in + trials_out)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / trials_in + 1 / trials_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (successes_in / trials_in - successes_out / trials_out) / spread
    result: FloatArray = np.where(spread > 0, z, 0.0)
    return result


def _representative(
    statistics: _Statistics, group: int, statements: tuple[str, ...]
) -> tuple[Representative, ...]:
    found: list[tuple[float, int, Representative]] = []
    for direction in ("agree", "disagree"):
        probability = statistics.probability[direction][group]
        probability_rest = statistics.probability_rest[direction][group]
        ratio = probability / probability_rest
        z_probability = statistics.z_probability[direction][group]
        z_ratio = statistics.z_ratio[direction][group]
        significant = (z_probability > Z_90) & (z_ratio > Z_90)
        for index in np.flatnonzero(significant).tolist():
            item = Representative(
                statement=statements[index],
                direction=direction,
                votes=int(statistics.votes[group, index]),
                count=int(statistics.count[direction][group, index]),
                probability=float(probability[index]),
                probability_rest=float(probability_rest[index]),
                ratio=float(ratio[index]),
                z_probability=float(z_probability[index]),
                z_ratio=float(z_ratio[index]),
            )
            found.append((float(ratio[index] * probability[index]), index, item))
    best: dict[int, tuple[float, int, Representative]] = {}
    for metric, index, item in found:  # significant both ways is near impossible; keep the best
        if index not in best or metric > best[index][0]:
            best[index] = (metric, index, item)
    return tuple(item for _metric, _index, item in sorted(best.values(), key=_best_first))


def _best_first(entry: tuple[float, int, Representative]) -> tuple[float, int]:
    return (-entry[0], entry[1])


def _consensus(
    statistics: _Statistics, direction: str, statements: tuple[str, ...]
) -> tuple[Consensus, ...]:
    probability = statistics.probability[direction]
    everywhere = np.all((probability > 0.5) & (statistics.z_probability[direction] > Z_90), axis=0)
    found = [
        Consensus(statements[index], direction, tuple(probability[:, index].tolist()))
        for index in np.flatnonzero(everywhere).tolist()
    ]
    order = sorted(range(len(found)), key=lambda i: (-found[i].group_aware, i))
    return tuple(found[i] for i in order)


def _rounded(value: float) -> float:
    return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
