from django.shortcuts import render


def home(request):
    """The front page: what Roundtable is, a join box, and a way in for facilitators."""
    return render(request, "home.html")
