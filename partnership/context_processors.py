from .selectors import home_contexts


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_contexts": lambda: home_contexts(user)}
