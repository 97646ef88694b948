from django.urls import path

from .views import risks

app_name = "risks"

urlpatterns = [
    path("risks/", risks.dashboard, name="dashboard"),
    path("risks/<int:objective_id>/acknowledge/", risks.acknowledge, name="acknowledge"),
    path("risks/objectives/<int:objective_id>/", risks.objective_flags, name="objective_flags"),
]
