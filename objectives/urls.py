from django.urls import path

from .views import asks, browse, measures, status

app_name = "objectives"

urlpatterns = [
    path("", status.my_work, name="my_work"),
    path(
        "objectives/<int:pk>/teams/<int:team_id>/update/",
        status.update_status,
        name="update_status",
    ),
    path("objectives/", browse.objective_list, name="list"),
    path("objectives/<int:pk>/", browse.objective_detail, name="detail"),
    path("objectives/export/", browse.objective_export, name="export"),
    path("objectives/<int:pk>/edit/", browse.objective_edit, name="edit"),
    path("objectives/<int:pk>/asks/new/", asks.ask_create, name="ask_create"),
    path("asks/<int:pk>/answer/", asks.ask_answer, name="ask_answer"),
    path("asks/<int:pk>/withdraw/", asks.ask_withdraw, name="ask_withdraw"),
    path("milestones/<int:pk>/done/", browse.milestone_done, name="milestone_done"),
    path("measures/<int:pk>/", measures.measure_detail, name="measure"),
    path("measures/<int:pk>/readings/", measures.add_readings, name="add_readings"),
    path("measures/<int:pk>/rebase/", measures.measure_rebase, name="measure_rebase"),
]
