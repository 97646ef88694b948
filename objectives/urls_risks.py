from django.urls import path

from .views import risks

app_name = "risks"

urlpatterns = [
    path("risks/", risks.dashboard, name="dashboard"),
    path("risks/<int:objective_id>/acknowledge/", risks.acknowledge, name="acknowledge"),
]
