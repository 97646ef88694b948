from django.urls import path

from .views import browse, status

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
]
