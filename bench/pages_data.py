"""The data of bench/pages.py: a finished company-wide workshop and a full lobby, built with
bulk inserts (a 100 x 10 workshop takes seconds, not minutes). Runs inside Django."""

import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone

from breakouts.models import Broadcast, HelpRequest, Item, Note, Room, Step, Vote
from followup.models import DebriefAnswer
from workshops.models import Challenge, Participant, Workshop

DEPARTMENTS = ("Sales", "Finance", "IT", "HR", "Operations", "Legal", "Marketing", "Support")
LOCATIONS = ("Berlin", "Lagos", "Lima", "Oslo", "Pune", "Austin")
WORDS = ("handover", "customer", "backlog", "approval", "release", "budget", "training",
         "meeting", "ticket", "forecast", "supplier", "onboarding", "quality", "planning")
CHALLENGES = ("Slow handovers", "Too many meetings", "Onboarding takes months",
              "Customer tickets bounce between teams", "Budget approvals stall projects")


def sentence(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def people(workshop, count, rng, room=None, start=0):
    return [
        Participant(
            workshop=workshop, name=f"Person {start + i:04d} {rng.choice(WORDS).title()}",
            email=f"person{start + i}@example.com",
            department=DEPARTMENTS[(start + i) % len(DEPARTMENTS)],
            location=LOCATIONS[(start + i) % len(LOCATIONS)], room=room,
        )
        for i in range(count)
    ]


def fill_room(room, members, rng, items, notes, votes):
    """Adds a room's content in every step to the lists of rows to insert."""
    for step in Step:
        notes.append(Note(room=room, step=step, rev=1, text=" ".join(
            sentence(rng, 12) for _ in range(4))))
    for i in range(5):
        items.append(Item(room=room, step=Step.ROOT_CAUSES, text=sentence(rng, 6),
                          category=Item.Category.values[i % 5], author=members[i]))
    alternatives = [
        Item(room=room, step=Step.ALTERNATIVES, text=sentence(rng, 5),
             pros=sentence(rng, 8), cons=sentence(rng, 8), author=members[i])
        for i in range(4)
    ]
    items.extend(alternatives)
    for i, member in enumerate(members):
        items.append(Item(room=room, step=Step.PLAN, text=sentence(rng, 7), owner=member,
                          due_date=date(2026, 12, 1) + timedelta(days=i * 3),
                          success_measure=sentence(rng, 5),
                          status=Item.Status.values[i % 4], author=members[0]))
        votes.append((alternatives, member))
    return alternatives


def build_main(owner, rooms, members, rng):
    workshop = Workshop.objects.create(owner=owner, title="Company day",
                                       phase=Workshop.Phase.DEBRIEF)
    challenges = [workshop.add_challenge(title, sentence(rng, 10)) for title in CHALLENGES]
    now = timezone.now()
    room_rows = Room.objects.bulk_create(
        Room(workshop=workshop, number=n, step=Step.PLAN, step_started_at=now,
             challenge=challenges[n % len(challenges)], last_activity_at=now,
             selection_rationale=sentence(rng, 9))
        for n in range(1, rooms + 1)
    )
    everyone = []
    for room in room_rows:
        everyone.append(Participant.objects.bulk_create(
            people(workshop, members, rng, room, start=room.number * 100)))
    items, notes, pending_votes, selected = [], [], [], {}
    for room, members_ in zip(room_rows, everyone, strict=True):
        selected[room.pk] = fill_room(room, members_, rng, items, notes, pending_votes)[0]
    Note.objects.bulk_create(notes)
    Item.objects.bulk_create(items)  # primary keys are set (SQLite and PostgreSQL)
    Vote.objects.bulk_create(
        Vote(item=alternatives[(member.pk + k) % len(alternatives)], participant=member,
             count=1)
        for alternatives, member in pending_votes for k in range(3)
    )
    for room, members_ in zip(room_rows, everyone, strict=True):
        room.scribe = members_[0]
        room.selected_item = selected[room.pk]
    Room.objects.bulk_update(room_rows, ["scribe", "selected_item"])
    HelpRequest.objects.bulk_create(
        HelpRequest(room=room, participant=members_[1], message=sentence(rng, 6))
        for room, members_ in list(zip(room_rows, everyone, strict=True))[::10]
    )
    Broadcast.objects.bulk_create(
        Broadcast(workshop=workshop, message=sentence(rng, 8), sent_by=owner) for _ in range(10)
    )
    choices = workshop.debrief_choice_list
    DebriefAnswer.objects.bulk_create(
        DebriefAnswer(workshop=workshop, participant=person,
                      answer_value=sentence(rng, 15), answer_change=sentence(rng, 12),
                      choices=rng.sample(choices, min(2, len(choices))))
        for members_ in everyone for person in members_ if person.pk % 5
    )
    return workshop


def build_lobby(owner, count, rng):
    workshop = Workshop.objects.create(owner=owner, title="Company day (lobby)",
                                       phase=Workshop.Phase.LOBBY)
    for title in CHALLENGES:
        Challenge.objects.create(workshop=workshop, title=title,
                                 position=CHALLENGES.index(title))
    Participant.objects.bulk_create(people(workshop, count, rng))
    return workshop


def build_workshops(rooms, members, seed=16):
    """Returns {"main": join code, "lobby": join code, "cookie": the owner's session cookie}."""
    rng = random.Random(seed)
    with transaction.atomic():
        owner = User.objects.create_user("bench-facilitator", password=None)
        main = build_main(owner, rooms, members, rng)
        lobby = build_lobby(owner, rooms * members, rng)
    store = SessionStore()
    store[SESSION_KEY] = str(owner.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    store.save()
    return {"main": main.join_code, "lobby": lobby.join_code,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}
