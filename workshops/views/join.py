from django.shortcuts import render


def join(request):
    return render(request, "workshops/join.html")
