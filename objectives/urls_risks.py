from django.urls import path

from .views import risks

app_name = "risks"

urlpatterns = [
    path("risks/", risks.dashboard, name="dashboard"),
    path("risks/my-work/", risks.my_work_flags, name="my_work_flags"),
    path("risks/<int:objective_id>/acknowledge/", risks.acknowledge, name="acknowledge"),
    path("risks/objectives/<int:objective_id>/", risks.objective_flags, name="objective_flags"),
]
