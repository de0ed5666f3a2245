"""Who sat where in each round of breakouts.

`Participant.room` is the room a person is in now (the current round's); a `Seat` remembers
the room of every round, so later rounds can avoid repeat pairs, and the network and the report
know everyone a person met. One seat per person and round: a facilitator's move or a late
joiner's placement changes the current round's seat (`Room.seat`).
"""

from collections import defaultdict

from django.db import models


class SeatQuerySet(models.QuerySet):
    def rounds_of(self, workshop, before=None):
        """Returns {round: [[participant ids of a room], ...]} of the workshop's seats, rounds
        in order (only rounds before `before` when given), rooms in number order."""
        seats = self.filter(room__workshop=workshop)
        if before is not None:
            seats = seats.filter(round__lt=before)
        rooms = defaultdict(lambda: defaultdict(list))
        rows = seats.order_by("round", "room__number", "participant_id")
        for round_number, room_id, participant_id in rows.values_list(
            "round", "room_id", "participant_id"
        ):
            rooms[round_number][room_id].append(participant_id)
        return {number: list(by_room.values()) for number, by_room in sorted(rooms.items())}


class Seat(models.Model):
    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="seats"
    )
    room = models.ForeignKey("breakouts.Room", on_delete=models.CASCADE, related_name="seats")
    # The room's round, repeated so that one seat per person and round is a constraint.
    round = models.PositiveSmallIntegerField()

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["round", "room", "participant"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "round"], name="one_seat_per_round")
        ]

    def __str__(self):
        return f"{self.participant_id} in {self.room_id} (round {self.round})"
