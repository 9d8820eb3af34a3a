from django.shortcuts import redirect, render


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "wellschools/landing.html")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
