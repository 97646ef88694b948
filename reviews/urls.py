from django.urls import path

from . import followup, views

app_name = "reviews"

urlpatterns = [
    path("", views.day_list, name="list"),
    path("new/", views.day_create, name="create"),
    path("my-actions/", followup.my_actions, name="my_actions"),
    path("actions/<int:action_pk>/mark/", followup.action_mark, name="action_mark"),
    path("objectives/<int:pk>/", followup.objective_record, name="objective_record"),
    path("<int:pk>/", views.day_detail, name="detail"),
    path("<int:pk>/edit/", views.day_edit, name="edit"),
    path("<int:pk>/focus/", views.focus_add, name="focus_add"),
    path("<int:pk>/focus/<int:focus_pk>/remove/", views.focus_remove, name="focus_remove"),
    path("<int:pk>/focus/<int:focus_pk>/move/", views.focus_move, name="focus_move"),
    path("<int:pk>/sessions/", views.session_add, name="session_add"),
    path("<int:pk>/sessions/<int:session_pk>/delete/", views.session_delete, name="session_delete"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_update, name="action_update"),
    path("<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("<int:pk>/pack/", views.pack_html, name="pack_html"),
    path("<int:pk>/pack/build/", views.pack_build, name="pack_build"),
    path("<int:pk>/pack/build/<int:build_pk>/", views.pack_build_status, name="pack_build_status"),
]
