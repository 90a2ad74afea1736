"""Pabulib's ``.pb`` files: read and write participatory-budgeting elections.

The format (Faliszewski et al., "Participatory Budgeting: Data, Tools, and Analysis", IJCAI
2023; pabulib.org) is ``;``-separated text in three sections, in this order::

    META
    key;value
    budget;1000000
    vote_type;approval
    ...
    PROJECTS
    project_id;cost;name;...
    1;5000;Bird boxes
    VOTES
    voter_id;vote;...
    17;1,4

Read here: UTF-8 with or without a byte-order mark, LF or CRLF line ends (mixed too), fields
quoted the CSV way when they hold ``;``, blank lines anywhere. Costs, the budget and points
are ``Decimal`` (a decimal comma is read as a point), never floats. Ballot types (META
``vote_type``): ``approval``, ``choose-1`` (at most one project), ``cumulative`` (a ``points``
column, one number per project named; a project named twice has its points added up) and
``ordinal`` (projects best first). Anything else, and any inconsistency (a vote naming an
unknown project, a project named twice in another ballot, a count in META that does not
match the file), raises ``PbFileError`` whose message names the line.

``write_pb`` writes an ``Election`` back; reading what it writes gives an equal ``Election``.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")
SECTIONS = ("meta", "projects", "votes")

# Far beyond any real budget (a cost of 10^15 currency units, six decimals): they keep a
# hostile file from asking for astronomically large exact numbers.
_NUMBER = re.compile(r"([0-9]{1,15})(?:[.,]([0-9]{1,6}))?", re.ASCII)
_COUNT = re.compile(r"[0-9]{1,9}", re.ASCII)


class PbFileError(ValueError):
    """A ``.pb`` file that cannot be read; ``line`` is the 1-based line it failed on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Project:
    project_id: str
    cost: Decimal
    # The other columns of PROJECTS (name, votes, selected, category, ...), as written.
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ballot:
    voter_id: str
    projects: tuple[str, ...]  # as ordered in the file (best first for ordinal ballots)
    points: tuple[Decimal, ...] | None = None  # cumulative ballots only, one per project
    fields: Mapping[str, str] = field(default_factory=dict)  # age, sex, district, ...


@dataclass(frozen=True)
class Election:
    meta: Mapping[str, str]  # every META entry as written, in file order
    projects: tuple[Project, ...]  # in file order
    ballots: tuple[Ballot, ...]  # in file order
    project_columns: tuple[str, ...]  # the PROJECTS header, project_id and cost included
    vote_columns: tuple[str, ...]  # the VOTES header, voter_id and vote included
    budget: Decimal
    vote_type: str
    # Where each META key was read, for messages about a whole election ("line 11:
    # vote_type ..."); not part of the election's value.
    meta_lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def official_selection(self) -> tuple[str, ...]:
        """The projects marked ``selected`` = 1 (the official outcome, where the file has it)."""
        return tuple(p.project_id for p in self.projects if p.fields.get("selected") == "1")


def read_pb(path: str | os.PathLike[str]) -> Election:
    """The election in the file at ``path``; ``OSError`` if it cannot be read."""
    with open(path, "rb") as file:
        return parse_pb(file.read())


def parse_pb(data: bytes | str) -> Election:
    """The election in ``data``, the text of a ``.pb`` file (bytes are read as UTF-8)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise PbFileError(line, "the file is not UTF-8 text") from None
    else:
        text = data
    return _Reader(text.removeprefix("\ufeff")).election()


def write_pb(election: Election) -> str:
    """The text of a ``.pb`` file holding ``election`` (LF line ends, no byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    meta = dict(election.meta)
    meta.setdefault("budget", str(election.budget))
    meta.setdefault("vote_type", election.vote_type)
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    for project in election.projects:
        writer.writerow([_project_value(project, column) for column in election.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(election.vote_columns)
    for ballot in election.ballots:
        writer.writerow([_ballot_value(ballot, column) for column in election.vote_columns])
    return out.getvalue()


def _project_value(project: Project, column: str) -> str:
    if column == "project_id":
        return project.project_id
    if column == "cost":
        return str(project.cost)
    return project.fields.get(column, "")


def _ballot_value(ballot: Ballot, column: str) -> str:
    if column == "voter_id":
        return ballot.voter_id
    if column == "vote":
        return ",".join(ballot.projects)
    if column == "points" and ballot.points is not None:
        return ",".join(str(points) for points in ballot.points)
    return ballot.fields.get(column, "")


def parse_number(text: str, *, what: str, line: int) -> Decimal:
    """``text`` as a non-negative ``Decimal`` (``12``, ``12.5`` or ``12,5``)."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise PbFileError(
            line,
            f"{what} {text!r} is not a number (digits, then optionally a decimal point and up "
            "to 6 decimals)",
        )
    whole, decimals = match.groups()
    return Decimal(f"{whole}.{decimals}" if decimals else whole)


class _Reader:
    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        self._last_line = 0

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank rows, stripped, with the line each one ends on."""
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise PbFileError(self._reader.line_num, f"unreadable line ({error})") from None
            self._last_line = self._reader.line_num
            stripped = [value.strip() for value in row]
            if any(stripped):
                yield self._reader.line_num, stripped

    def election(self) -> Election:
        rows = self._rows()
        meta: dict[str, str] = {}
        meta_lines: dict[str, int] = {}
        project_columns: tuple[str, ...] = ()
        vote_columns: tuple[str, ...] = ()
        projects: dict[str, Project] = {}
        ballots: list[Ballot] = []
        section = ""
        vote_type = ""
        voter_ids: set[str] = set()
        read_ballot = _BallotReader((), "", projects).read
        for line, row in rows:
            if len(row) == 1 and row[0].lower() in SECTIONS:
                section = self._next_section(section, row[0].lower(), line)
                header_line, header = self._header(rows, section, line)
                if section == "meta":
                    if [column.lower() for column in header] != ["key", "value"]:
                        raise PbFileError(header_line, "the META header must be 'key;value'")
                elif section == "projects":
                    project_columns = self._columns(header, header_line, ("project_id", "cost"))
                else:
                    vote_type = self._vote_type(meta, meta_lines, line)
                    required: tuple[str, ...] = ("voter_id", "vote")
                    if vote_type == "cumulative":
                        required = ("voter_id", "vote", "points")
                    vote_columns = self._columns(header, header_line, required)
                    read_ballot = _BallotReader(vote_columns, vote_type, projects).read
            elif section == "meta":
                if len(row) != 2:
                    raise PbFileError(line, f"a META line has 2 fields (key;value), not {len(row)}")
                key, value = row
                if key in meta:
                    raise PbFileError(line, f"META key {key!r} appears twice")
                meta[key] = value
                meta_lines[key] = line
            elif section == "projects":
                project = self._project(project_columns, row, line)
                if project.project_id in projects:
                    raise PbFileError(line, f"project {project.project_id!r} appears twice")
                projects[project.project_id] = project
            elif section == "votes":
                ballot = read_ballot(row, line)
                if ballot.voter_id in voter_ids:
                    raise PbFileError(line, f"voter {ballot.voter_id!r} appears twice")
                voter_ids.add(ballot.voter_id)
                ballots.append(ballot)
            else:
                raise PbFileError(line, "a .pb file starts with a line 'META'")
        if section != "votes":
            missing = SECTIONS[SECTIONS.index(section) + 1 if section else 0].upper()
            raise PbFileError(self._last_line, f"the file ends before its {missing} section")
        self._check_count(meta, meta_lines, "num_projects", len(projects))
        self._check_count(meta, meta_lines, "num_votes", len(ballots))
        return Election(
            meta=meta,
            projects=tuple(projects.values()),
            ballots=tuple(ballots),
            project_columns=project_columns,
            vote_columns=vote_columns,
            budget=parse_number(meta["budget"], what="the budget", line=meta_lines["budget"]),
            vote_type=vote_type,
            meta_lines=meta_lines,
        )

    @staticmethod
    def _next_section(current: str, new: str, line: int) -> str:
        if current == "votes":
            raise PbFileError(line, f"section {new.upper()} after VOTES")
        expected = SECTIONS[SECTIONS.index(current) + 1] if current else "meta"
        if new != expected:
            raise PbFileError(
                line,
                f"section {new.upper()} found where {expected.upper()} was expected (the "
                "sections are META, PROJECTS, VOTES, in this order)",
            )
        return new

    def _header(
        self, rows: Iterator[tuple[int, list[str]]], section: str, line: int
    ) -> tuple[int, list[str]]:
        found = next(rows, None)
        if found is None:
            raise PbFileError(line, f"the {section.upper()} section has no header line")
        return found

    @staticmethod
    def _columns(header: list[str], line: int, required: tuple[str, ...]) -> tuple[str, ...]:
        columns = tuple(header)
        for column in required:
            if column not in columns:
                raise PbFileError(line, f"the header has no {column!r} column")
        if "" in columns:
            raise PbFileError(line, "the header has an empty column name")
        if len(set(columns)) != len(columns):
            raise PbFileError(line, "the header names a column twice")
        return columns

    @staticmethod
    def _vote_type(meta: dict[str, str], meta_lines: dict[str, int], line: int) -> str:
        if "budget" not in meta:
            raise PbFileError(line, "META has no 'budget'")
        parse_number(meta["budget"], what="the budget", line=meta_lines["budget"])
        vote_type = meta.get("vote_type")
        if vote_type is None:
            raise PbFileError(line, "META has no 'vote_type'")
        if vote_type not in VOTE_TYPES:
            raise PbFileError(
                meta_lines["vote_type"],
                f"vote_type {vote_type!r} is not supported (only {', '.join(VOTE_TYPES)})",
            )
        return vote_type

    @staticmethod
    def _fields(columns: tuple[str, ...], row: list[str], line: int) -> dict[str, str]:
        if len(row) > len(columns):
            raise PbFileError(line, f"{len(row)} fields, but the header has {len(columns)}")
        values = dict(zip(columns, row, strict=False))
        for column in columns[len(row) :]:
            values[column] = ""
        return values

    def _project(self, columns: tuple[str, ...], row: list[str], line: int) -> Project:
        values = self._fields(columns, row, line)
        project_id = values.pop("project_id")
        if not project_id:
            raise PbFileError(line, "a project without a project_id")
        if "," in project_id:
            raise PbFileError(line, f"project_id {project_id!r} contains a comma")
        cost = parse_number(values.pop("cost"), what="cost", line=line)
        return Project(project_id=project_id, cost=cost, fields=values)

    def _check_count(
        self, meta: dict[str, str], meta_lines: dict[str, int], key: str, found: int
    ) -> None:
        if key not in meta:
            return
        text = meta[key]
        if _COUNT.fullmatch(text) is None or int(text) != found:
            raise PbFileError(meta_lines[key], f"{key} is {text!r} but the file holds {found}")


class _BallotReader:
    """Reads the rows of VOTES (the one long section, so its columns are looked up once)."""

    def __init__(self, columns: tuple[str, ...], vote_type: str, projects: dict[str, Project]):
        self.width = len(columns)
        self.vote_type = vote_type
        self.projects = projects
        self.voter = columns.index("voter_id") if columns else 0
        self.vote = columns.index("vote") if columns else 0
        self.points = columns.index("points") if vote_type == "cumulative" else -1
        taken = (self.voter, self.vote, self.points)
        self.others = [(column, i) for i, column in enumerate(columns) if i not in taken]

    def read(self, row: list[str], line: int) -> Ballot:
        if len(row) != self.width:
            if len(row) > self.width:
                raise PbFileError(line, f"{len(row)} fields, but the header has {self.width}")
            row = row + [""] * (self.width - len(row))
        voter_id = row[self.voter]
        if not voter_id:
            raise PbFileError(line, "a vote without a voter_id")
        vote = row[self.vote]
        names = [name.strip() for name in vote.split(",")] if vote else []
        points: tuple[Decimal, ...] | None = None
        if self.points >= 0:
            raw_points = row[self.points]
            point_texts = [text.strip() for text in raw_points.split(",")] if raw_points else []
            if len(point_texts) != len(names):
                raise PbFileError(
                    line, f"{len(names)} projects named but {len(point_texts)} points given"
                )
            points = tuple(parse_number(text, what="points", line=line) for text in point_texts)
        elif "" in names:
            names = [name for name in names if name]
        projects = self.projects
        for name in names:
            if name not in projects:
                raise PbFileError(line, f"the vote names project {name!r}, which is not listed")
        # A cumulative ballot may name a project twice: its points add up (Częstochowa 2020's
        # own score column counts them so); in any other ballot it is a mistake.
        if points is None and len(set(names)) != len(names):
            raise PbFileError(line, "the vote names a project twice")
        if self.vote_type == "choose-1" and len(names) > 1:
            raise PbFileError(line, f"a choose-1 vote names {len(names)} projects")
        fields = {column: row[i] for column, i in self.others}
        return Ballot(voter_id=voter_id, projects=tuple(names), points=points, fields=fields)
