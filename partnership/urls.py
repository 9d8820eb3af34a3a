from django.urls import path

from . import views

urlpatterns = [
    path("home/", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("schools/<int:urn>/", views.school_detail, name="school_detail"),
    path("schools/<int:urn>/invite/", views.school_invite, name="school_invite"),
    path("trusts/<str:group_uid>/", views.trust_detail, name="trust_detail"),
    path("trusts/<str:group_uid>/invite/", views.trust_invite, name="trust_invite"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
