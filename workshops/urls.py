"""Workshop pages. Facilitators work under /workshops/ and /w/<code>/manage/; participants
join at /join/, /j/<join token>/ or /p/<personal token>/ and wait in /w/<code>/lobby/."""

from django.urls import path

from workshops.views import (
    attributes,
    challenges,
    cofacilitators,
    facilitator,
    invite,
    join,
    lobby,
    phases,
    roster,
)

app_name = "workshops"

manage = "w/<str:code>/manage/"

urlpatterns = [
    # Facilitators
    path("workshops/", facilitator.workshop_list, name="list"),
    path("workshops/new/", facilitator.workshop_create, name="create"),
    path(manage, facilitator.workshop_detail, name="detail"),
    path(manage + "edit/", facilitator.workshop_edit, name="edit"),
    path(manage + "duplicate/", facilitator.workshop_duplicate, name="duplicate"),
    path(manage + "delete/", facilitator.workshop_delete, name="delete"),
    path(manage + "phase/", phases.change_phase, name="phase"),
    path(manage + "challenges/", challenges.challenge_list, name="challenges"),
    path(
        manage + "challenges/starter/<slug:slug>/",
        challenges.challenge_copy_starter,
        name="challenge_starter",
    ),
    path(manage + "challenges/<int:pk>/edit/", challenges.challenge_edit, name="challenge_edit"),
    path(manage + "challenges/<int:pk>/move/", challenges.challenge_move, name="challenge_move"),
    path(
        manage + "challenges/<int:pk>/delete/",
        challenges.challenge_delete,
        name="challenge_delete",
    ),
    path(manage + "attributes/", attributes.attribute_list, name="attributes"),
    path(
        manage + "attributes/<int:attribute_id>/edit/",
        attributes.attribute_edit,
        name="attribute_edit",
    ),
    path(
        manage + "attributes/<int:attribute_id>/move/",
        attributes.attribute_move,
        name="attribute_move",
    ),
    path(
        manage + "attributes/<int:attribute_id>/delete/",
        attributes.attribute_delete,
        name="attribute_delete",
    ),
    path(
        manage + "cofacilitators/", cofacilitators.cofacilitator_add, name="cofacilitator_add"
    ),
    path(
        manage + "cofacilitators/<int:user_id>/remove/",
        cofacilitators.cofacilitator_remove,
        name="cofacilitator_remove",
    ),
    path(manage + "roster/", roster.roster, name="roster"),
    path(manage + "roster/import/", roster.roster_import, name="roster_import"),
    path(manage + "roster/links.csv", roster.roster_links, name="roster_links"),
    path(
        manage + "participants/<int:pk>/remove/",
        roster.participant_remove,
        name="participant_remove",
    ),
    path(manage + "qr.svg", invite.qr_svg, name="qr"),
    path(manage + "invite/", invite.invite_screen, name="invite"),
    path(manage + "rejoin/", join.rejoin_confirm, name="rejoin_confirm"),
    # Participants
    path("join/", join.join, name="join"),
    path("join/<str:code>/", join.join_code, name="join_code"),
    path("j/<str:token>/", join.join_link, name="join_link"),
    path("p/<str:token>/", join.personal_link, name="personal_link"),
    path("w/<str:code>/lobby/", lobby.lobby, name="lobby"),
    path("w/<str:code>/me/", lobby.edit_me, name="me"),
]
