"""Every (from, to) pair of workshop phases through `Workshop.move_to`: the allowed ones move and
announce `phase.changed` with a new revision, the others raise PhaseError and change nothing;
two facilitators racing from the same phase move the workshop once."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from live.groups import control_group, workshop_group
from workshops.models import PhaseError, Workshop

Phase = Workshop.Phase

# The phase diagram, written out here on purpose rather than read from Workshop.TRANSITIONS:
# a change to the model's table must show up as a failing row.
ALLOWED = {
    (Phase.DRAFT, Phase.LOBBY),
    (Phase.LOBBY, Phase.BREAKOUTS),
    (Phase.LOBBY, Phase.CLOSED),
    (Phase.BREAKOUTS, Phase.PLENARY),
    (Phase.PLENARY, Phase.BREAKOUTS),
    (Phase.PLENARY, Phase.DEBRIEF),
    (Phase.PLENARY, Phase.CLOSED),
    (Phase.DEBRIEF, Phase.PLENARY),
    (Phase.DEBRIEF, Phase.CLOSED),
}
# Every pair of phases, the phase itself included: a phase added to the model is refused
# everywhere here until the diagram above says otherwise.
PAIRS = [(start, target) for start in Phase for target in Phase]


def pairs(allowed):
    return [
        pytest.param(start, target, id=f"{start.value}-to-{target.value}")
        for start, target in PAIRS
        if ((start, target) in ALLOWED) == allowed
    ]


def workshop_in(make_workshop, phase):
    """A workshop in `phase` (with a challenge, as the lobby requires), counting down to the
    end of breakouts, so a test can see that a phase change ends the countdown."""
    workshop = make_workshop(phase=phase, rooms=0).workshop
    closing_at = timezone.now() + timedelta(minutes=1)
    Workshop.objects.filter(pk=workshop.pk).update(closing_at=closing_at)
    workshop.refresh_from_db()
    return workshop


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), pairs(allowed=True))
def test_allowed_transition_moves_and_announces_the_new_phase(
    make_workshop, capture_events, start, target
):
    workshop = workshop_in(make_workshop, start)
    rev = workshop.rev
    with capture_events() as events:
        assert workshop.move_to(target) is workshop
    stored = Workshop.objects.get(pk=workshop.pk)
    assert (stored.phase, stored.rev) == (target, rev + 1)
    assert stored.phase_changed_at is not None
    assert stored.closing_at is None
    assert (workshop.phase, workshop.rev) == (target, rev + 1)
    assert events.triples() == [("phase.changed", rev + 1, {"phase": target})]
    assert events.groups[id(events[0])] == [workshop_group(workshop.pk),
                                            control_group(workshop.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), pairs(allowed=False))
def test_refused_transition_raises_and_changes_nothing(
    make_workshop, capture_events, start, target
):
    workshop = workshop_in(make_workshop, start)
    before = Workshop.objects.filter(pk=workshop.pk).values().get()
    with capture_events() as events, pytest.raises(PhaseError, match="cannot move to"):
        workshop.move_to(target)
    assert Workshop.objects.filter(pk=workshop.pk).values().get() == before
    assert workshop.phase == start
    assert events == []


@pytest.mark.django_db
def test_the_lobby_opens_only_with_a_challenge(make_workshop, capture_events):
    workshop = make_workshop(phase=Phase.DRAFT, rooms=0, challenges=()).workshop
    with capture_events() as events, pytest.raises(PhaseError, match="at least one challenge"):
        workshop.move_to(Phase.LOBBY)
    workshop.refresh_from_db()
    assert (workshop.phase, workshop.rev) == (Phase.DRAFT, 0)
    assert events == []


# -- two facilitators at once -----------------------------------------------------------------

# How long the first facilitator to read the phase waits for the second to read it too. With
# the row lock (PostgreSQL) or the write lock of an IMMEDIATE transaction (SQLite) the second
# cannot read it before the first commits, so the first gives up after this and goes on.
BOTH_READ_WAIT = 1.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("start", "first", "second"),
    [
        pytest.param(Phase.BREAKOUTS, Phase.PLENARY, Phase.PLENARY, id="both-go-to-plenary"),
        pytest.param(Phase.PLENARY, Phase.DEBRIEF, Phase.BREAKOUTS, id="debrief-or-reopen"),
    ],
)
def test_two_facilitators_racing_move_the_workshop_once(
    make_workshop, capture_events, monkeypatch, start, first, second
):
    workshop = make_workshop(phase=start, rooms=0).workshop
    rev = workshop.rev
    # Holds each move right after it read the current phase until the other has read it too,
    # which is the interleaving that would let both moves through without a lock.
    both_read = threading.Barrier(2)
    can_move_to = Workshop.can_move_to

    def can_move_to_once_both_read(self, phase):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=BOTH_READ_WAIT)
        return can_move_to(self, phase)

    monkeypatch.setattr(Workshop, "can_move_to", can_move_to_once_both_read)
    outcomes = {}

    def click(who, target):
        try:
            Workshop.objects.get(pk=workshop.pk).move_to(target)
            outcomes[who] = target
        except Exception as error:  # a PhaseError, or a failure the assertions below show
            outcomes[who] = error
        finally:
            connection.close()  # each thread has its own connection

    clicks = [threading.Thread(target=click, args=("first", first)),
              threading.Thread(target=click, args=("second", second))]
    with capture_events() as events:
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in clicks)

    winners = [who for who, outcome in outcomes.items() if not isinstance(outcome, Exception)]
    assert len(winners) == 1, outcomes
    loser = "second" if winners == ["first"] else "first"
    assert isinstance(outcomes[loser], PhaseError), outcomes
    moved_to = outcomes[winners[0]]
    stored = Workshop.objects.get(pk=workshop.pk)
    assert (stored.phase, stored.rev) == (moved_to, rev + 1)
    assert events.triples() == [("phase.changed", rev + 1, {"phase": moved_to})]
