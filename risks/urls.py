from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("risks/", views.dashboard, name="dashboard"),
    path("risks/export.csv", views.export, name="export"),
    path("risks/my-work/", views.my_work_flags, name="my_work_flags"),
    path("risks/<int:objective_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("risks/objectives/<int:objective_id>/", views.objective_flags, name="objective_flags"),
]
